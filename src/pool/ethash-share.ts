/**
 * The pure part of the Ethash share pipeline: from a submit, its job's work and Ethash's result to a verdict, and
 * the unit shares are credited in. No I/O, no state: hashing, duplicates and persistence are the caller's.
 *
 * Crediting unit (shared with SHA-256d, see README "How shares are credited"): a share is stored with
 * `difficulty = DIFF1_TARGET / shareTarget` (Bitcoin's difficulty-1 target 0xffff·2^208), which is exactly what a
 * SHA-256d share at pool difficulty D stores (D). The ledger's weight is difficulty × 2^32, so every share's weight
 * is (65535/65536) · 2^256 / shareTarget: proportional, with one constant for both algorithms, to the number of
 * hashes its target costs on average. An Ethash share at Ethash difficulty D (boundary 2^224 / D) is therefore
 * credited at D × 65535/65536 pool difficulty, and one PPLNS window holds both kinds of shares.
 */
import type { EthashHashResult, EthashWork } from '../chains/types.js';
import { isHex } from '../core/bytes.js';
import { boundaryFromDifficulty, difficultyFromHash } from '../core/ethash/index.js';
import { targetToDifficulty } from '../core/target.js';
import { StratumErrorCode, type EthashSubmitRequest } from '../stratum/types.js';

const MAX_NONCE = (1n << 64n) - 1n;

/** Ethash share boundary for difficulty D (1 = 2^32 hashes): floor(2^256 / (D · 2^32)), D taken as the decimal written. */
export function ethashShareBoundary(difficulty: number): bigint {
  return boundaryFromDifficulty(difficulty);
}

/** The difficulty a share with this Ethash job difficulty is stored and credited at (the shared pool unit). */
export function ethashCreditedDifficulty(jobDifficulty: number): number {
  return targetToDifficulty(ethashShareBoundary(jobDifficulty));
}

/** Checks that need no hashing: nonce range and the form of the mix digest. Null when the submit is well formed. */
export function ethashSubmitProblem(req: EthashSubmitRequest): string | null {
  if (typeof req.nonce !== 'bigint' || req.nonce < 0n || req.nonce > MAX_NONCE) return `nonce must be a 64-bit unsigned integer`;
  if (req.mixDigest !== null && !isHex(req.mixDigest.replace(/^0x/i, ''), 32)) {
    return `mix digest must be 64 hex characters, got '${req.mixDigest.slice(0, 80)}'`;
  }
  if (!isHex(req.headerHash.replace(/^0x/i, ''), 32)) return `header hash must be 64 hex characters, got '${req.headerHash.slice(0, 80)}'`;
  return null;
}

export type EthashShareCheck =
  | { ok: false; code: StratumErrorCode; message: string; badWork: boolean }
  | { ok: true; isBlock: boolean; meetsShareTarget: boolean; actualDifficulty: number; value: bigint };

/** The verdict once Ethash has run: mix digest (when the miner sent one), share boundary, network target. */
export function judgeEthashShare(input: {
  work: EthashWork;
  req: EthashSubmitRequest;
  computed: EthashHashResult;
  jobDifficulty: number;
}): EthashShareCheck {
  const { req, computed } = input;
  if (req.mixDigest !== null) {
    const sent = req.mixDigest.replace(/^0x/i, '').toLowerCase();
    if (sent !== computed.mixDigest) {
      return {
        ok: false,
        code: StratumErrorCode.Other,
        message: `Wrong mix digest: ${sent} is not Ethash's ${computed.mixDigest} for this nonce`,
        badWork: true,
      };
    }
  }
  const value = BigInt(`0x${computed.finalHash}`);
  return {
    ok: true,
    isBlock: value <= input.work.networkTarget,
    meetsShareTarget: value <= ethashShareBoundary(input.jobDifficulty),
    actualDifficulty: difficultyFromHash(Buffer.from(computed.finalHash, 'hex')),
    value,
  };
}
