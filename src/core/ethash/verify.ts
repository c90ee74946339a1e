/**
 * Share verification with the reference library's result codes and order: the final hash is first recomputed
 * from the SUBMITTED mix digest (cheap) and compared with the boundary; only then is the mix recomputed from the
 * epoch's dataset and compared. Pure: no I/O.
 */
import type { LightCache } from './cache.js';
import { finalHashFromMix, hashimoto, lightPages, type PageSource } from './hashimoto.js';
import { hashToBigInt } from './difficulty.js';

export const EthashVerdict = {
  SUCCESS: 0,
  INVALID_FINAL_HASH: 1,
  INVALID_MIX_HASH: 2,
} as const;
export type EthashVerdict = (typeof EthashVerdict)[keyof typeof EthashVerdict];

export interface EthashSolution {
  headerHash: Uint8Array;
  nonce: bigint;
  mixDigest: Uint8Array;
}

/** Final-hash-only check (no dataset): passes when keccak256(seed ‖ submitted mix) ≤ boundary. Never checks the mix. */
export function verifyFinalHash(solution: EthashSolution, boundary: bigint): EthashVerdict {
  const finalHash = finalHashFromMix(solution.headerHash, solution.nonce, solution.mixDigest);
  return hashToBigInt(finalHash) <= boundary ? EthashVerdict.SUCCESS : EthashVerdict.INVALID_FINAL_HASH;
}

/** Full verification against a boundary over the epoch's dataset pages (light or full source). */
export function verifyEthash(numPages: number, source: PageSource, solution: EthashSolution, boundary: bigint): EthashVerdict {
  const cheap = verifyFinalHash(solution, boundary);
  if (cheap !== EthashVerdict.SUCCESS) return cheap;
  const { mixDigest } = hashimoto(numPages, source, solution.headerHash, solution.nonce);
  return mixDigest.equals(solution.mixDigest) ? EthashVerdict.SUCCESS : EthashVerdict.INVALID_MIX_HASH;
}

/** verifyEthash with dataset pages computed from the light cache. */
export function verifyEthashLight(cache: LightCache, solution: EthashSolution, boundary: bigint): EthashVerdict {
  const { numPages, source } = lightPages(cache);
  return verifyEthash(numPages, source, solution, boundary);
}
