/**
 * The GXC adapter's Ethash capability: Ethash work from the same template as the SHA-256d work, and `pow_ethash`
 * blocks re-verified with real Ethash before they reach the node (which never recomputes a hash itself).
 */
import type { Logger } from '../../log/logger.js';
import type { RpcClient } from '../../rpc/types.js';
import type { EthashCapability, EthashRehash, EthashSolution, EthashWork, Sha256dWork, SubmitOutcome } from '../types.js';
import { buildGxcEthashWork, checkEthashProof, ethashProofInput, ethashSubmitBlockJson, isGxcEthashWork } from './ethash-bridge.js';
import { sendGxcBlock } from './send-block.js';
import { isGxcWork } from './work.js';

export function createGxcEthashCapability(deps: { rpc: RpcClient; logger: Logger }): EthashCapability {
  const { rpc, logger } = deps;

  function workFor(work: Sha256dWork): EthashWork {
    if (!isGxcWork(work)) throw new Error('pool-bug: Ethash work asked for work the GXC adapter did not build');
    // The template's time is the block's timestamp: the node accepts it for a day, longer than any template lives.
    return buildGxcEthashWork(work.gxc.fields, { timestamp: work.curtime, reward: work.reward, templateKey: work.templateKey });
  }

  async function submitBlock(work: EthashWork, solution: EthashSolution, rehash: EthashRehash): Promise<SubmitOutcome> {
    const blockHash = solution.finalHash;
    if (!isGxcEthashWork(work)) {
      return { accepted: false, reason: 'pool-bug: this Ethash work was not built by the GXC adapter; nothing submitted', blockHash, raw: null };
    }
    const block = ethashSubmitBlockJson(work.gxc.fields, solution);
    const submitted = {
      ...work.gxc.fields,
      hash: blockHash,
      nonce: solution.nonce,
      pool_bridge: block.pool_bridge,
      pool_header_hash: block.pool_header_hash,
      pool_mix_digest: block.pool_mix_digest,
    };
    // Never send the node a block whose proof does not hold: recompute the header hash from the block and Ethash.
    const input = ethashProofInput(submitted);
    let problem: string | null;
    if (!input.ok) problem = input.problem;
    else if (input.headerHash !== work.headerHash) problem = `header hash ${input.headerHash} is not the job's ${work.headerHash}`;
    else {
      try {
        problem = checkEthashProof(submitted, await rehash(input.blockNumber, input.headerHash, input.nonce));
      } catch (err) {
        problem = `Ethash re-verification failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    if (problem) {
      logger.error(
        { event: 'gxc_block_proof_invalid', height: work.height, hash: blockHash, algorithm: 'ethash', problem },
        'GXC Ethash block candidate fails its own proof; not submitted',
      );
      return { accepted: false, reason: `pool-bug: block proof does not hold (${problem}); nothing submitted`, blockHash, raw: null };
    }
    return sendGxcBlock(rpc, logger, block, { height: work.height, hash: blockHash, algorithm: 'ethash' });
  }

  return { workFor, submitBlock };
}
