/**
 * The process-wide Ethash parts: one verifier (worker threads, caches shared by every pool), one EthereumStratum
 * extranonce space, and Ethash work derived once per template for every pool that serves Ethash. Absent when the
 * chain takes no Ethash blocks (Bitcoin): then the Ethash side of a pool reports why it has no work.
 */
import { createEthashVerifier, type EthashVerifier, type EthashVerifierOptions } from '../chains/ethash/verifier.js';
import type { ChainAdapter, EthashCapability, EthashWork, Sha256dWork } from '../chains/types.js';
import { epochOf, seedHash } from '../core/ethash/index.js';
import type { Logger } from '../log/logger.js';
import { EthashExtranonceAllocator } from '../stratum/dialects/ethash-extranonce.js';
import type { EthashHasher } from './ethash-pool.js';

/** What /api/health and the logs say when a pool should serve Ethash but the node cannot take Ethash blocks. */
export function ethashUnavailableReason(chain: ChainAdapter): string {
  return `Ethash mining needs a GXC node (pow_ethash blocks); this node speaks ${chain.kind}, so Ethash miners get no work here`;
}

export interface EthashProcess {
  capability: EthashCapability;
  hasher: EthashHasher;
  extranonces: EthashExtranonceAllocator;
  /** Ethash work for the template `work` came from; null (logged) if it cannot be built. */
  workFor(work: Sha256dWork): EthashWork | null;
  close(): Promise<void>;
}

/** The verifier as the share pipeline uses it: hex in, hex out. */
export function hasherFromVerifier(verifier: Pick<EthashVerifier, 'hash'>): EthashHasher {
  return {
    async hash({ blockNumber, headerHash, nonce }) {
      const r = await verifier.hash({ blockNumber, headerHash: Buffer.from(headerHash, 'hex'), nonce });
      return { mixDigest: r.mixDigest.toString('hex'), finalHash: r.finalHash.toString('hex') };
    },
  };
}

export function seedHashHex(blockNumber: number): string {
  return seedHash(epochOf(blockNumber)).toString('hex');
}

export function startEthashProcess(
  chain: ChainAdapter,
  opts: { instanceId: number; logger: Logger; verifier?: EthashVerifierOptions },
): EthashProcess | null {
  const capability = chain.ethash;
  if (!capability) return null;
  const log = opts.logger;
  const verifier = createEthashVerifier({ ...opts.verifier, logger: log });
  let preparedEpoch = -1;
  return {
    capability,
    hasher: hasherFromVerifier(verifier),
    extranonces: new EthashExtranonceAllocator(opts.instanceId),
    workFor(work) {
      let ethashWork: EthashWork;
      try {
        ethashWork = capability.workFor(work);
      } catch (err) {
        log.error({ event: 'ethash_work_failed', height: work.height, err: String(err) }, 'no Ethash work from this template');
        return null;
      }
      const epoch = epochOf(ethashWork.height);
      if (epoch !== preparedEpoch) {
        // The current epoch's cache (and the next one's, ahead of the switch) is built off the event loop now.
        preparedEpoch = epoch;
        verifier.prepare(ethashWork.height).catch((err: unknown) => {
          log.error({ event: 'ethash_prepare_failed', epoch, err: String(err) }, 'Ethash cache could not be prepared');
          preparedEpoch = -1;
        });
      }
      return ethashWork;
    },
    close: () => verifier.close(),
  };
}
