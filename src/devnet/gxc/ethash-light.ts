/**
 * The devnet's own Ethash, for re-verifying `pow_ethash` blocks: light mode on a worker thread of its own (the
 * pool's verifier machinery, a separate instance: the devnet stands for another machine), so neither a cache build
 * (1–3 s) nor a block's hash ever runs on the event loop that, embedded, also serves every pool. The current
 * epoch's cache is built when the devnet starts and the next one's ahead of the switch (`prepare`). The block
 * check itself stays synchronous: it asks `known` for a result `compute` produced just before.
 */
import { createEthashVerifier, type EthashVerifier } from '../../chains/ethash/verifier.js';
import type { EthashHashResult } from '../../chains/types.js';
import { type Logger, silentLogger } from '../../log/logger.js';

/** Results kept for the synchronous re-check that follows each computation (a few concurrent submits at most). */
const KEPT_RESULTS = 16;

export interface DevnetEthashInput {
  blockNumber: number;
  headerHash: string;
  nonce: bigint;
}

export interface DevnetEthash {
  /** A result computed earlier for exactly this input, if still kept. */
  known(input: DevnetEthashInput): EthashHashResult | undefined;
  /** Computes Ethash off the event loop and keeps the result for `known`. */
  compute(input: DevnetEthashInput): Promise<EthashHashResult>;
  /** Starts building the caches of this height's epoch and of the next one (no-op when already built). */
  prepare(height: number): void;
  close(): Promise<void>;
}

const keyOf = (i: DevnetEthashInput): string => `${i.blockNumber}:${i.headerHash.toLowerCase()}:${i.nonce}`;

export function createDevnetEthash(opts: { logger?: Logger; verifier?: EthashVerifier } = {}): DevnetEthash {
  const logger = opts.logger ?? silentLogger;
  const verifier = opts.verifier ?? createEthashVerifier({ threads: 1, maxCachedEpochs: 2, logger });
  const results = new Map<string, EthashHashResult>();
  let closed = false;
  return {
    known: (input) => results.get(keyOf(input)),
    async compute(input) {
      const r = await verifier.hash({ blockNumber: input.blockNumber, headerHash: Buffer.from(input.headerHash, 'hex'), nonce: input.nonce });
      const result = { mixDigest: r.mixDigest.toString('hex'), finalHash: r.finalHash.toString('hex') };
      results.set(keyOf(input), result);
      while (results.size > KEPT_RESULTS) results.delete(results.keys().next().value as string);
      return result;
    },
    prepare(height) {
      if (closed) return;
      verifier.prepare(height).catch((err: Error) => {
        if (!closed) logger.warn({ height, reason: err.message }, 'devnet Ethash cache build failed');
      });
    },
    async close() {
      closed = true;
      if (!opts.verifier) await verifier.close();
    },
  };
}
