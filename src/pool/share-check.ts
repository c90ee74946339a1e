/**
 * The pure part of the share pipeline: from a submit and its job to a header, a hash and a verdict.
 * No I/O: duplicates and persistence are the caller's. The only state is a cache of per-work scratch buffers
 * (coinbase and header templates) and of share targets per difficulty, so a share allocates almost nothing.
 */
import type { BlockSolution, Sha256dWork } from '../chains/types.js';
import { isHex } from '../core/bytes.js';
import { hashHeader } from '../core/header.js';
import { sha256d } from '../core/hash.js';
import { merkleRootFromBranch } from '../core/merkle.js';
import { difficultyToTarget, hashValueDifficulty, hashValueDifficultyApprox, targetToDifficulty } from '../core/target.js';
import { StratumErrorCode, type SubmitRequest } from '../stratum/types.js';

/** How far in the future a miner's ntime may be (stratum.md: now + ~7000 s; GXC nodes allow 7200). */
export const MAX_NTIME_AHEAD_SECONDS = 7000;

export interface ShareInput {
  work: Sha256dWork;
  req: SubmitRequest;
  extranonce1: Buffer;
  extranonce2Size: number;
  versionMask: number;
  /** Difficulty the job was sent with to this session. */
  jobDifficulty: number;
  nowSeconds: number;
}

export type ShareCheck =
  | { ok: false; code: StratumErrorCode; message: string }
  | {
      ok: true;
      solution: BlockSolution;
      /** sha256d(header) as Bitcoin compares it (little-endian integer). */
      hashValue: bigint;
      meetsShareTarget: boolean;
      isBlock: boolean;
      /** diff1 / hashValue: exact (nearest double) when the share meets a target, approximate otherwise. */
      actualDifficulty: number;
    };

const reject = (code: StratumErrorCode, message: string): ShareCheck => ({ ok: false, code, message });

/**
 * Buffers prepared once per work: the coinbase with coinb1 and coinb2 in place (extranonces are written per
 * share) and the header with prevhash and bits in place. Reused across shares: the check is synchronous, so no
 * two shares use them at once; what a share keeps (the header of its solution) is copied out.
 */
interface PreparedWork {
  coinbase: Buffer;
  extranonce1Size: number;
  extranonce2Size: number;
  header: Buffer;
}

const prepared = new WeakMap<Sha256dWork, PreparedWork>();

function prepare(work: Sha256dWork, extranonce1Size: number, extranonce2Size: number): PreparedWork {
  const known = prepared.get(work);
  if (known !== undefined && known.extranonce1Size === extranonce1Size && known.extranonce2Size === extranonce2Size) return known;
  const coinbase = Buffer.alloc(work.coinb1.length + extranonce1Size + extranonce2Size + work.coinb2.length);
  work.coinb1.copy(coinbase, 0);
  work.coinb2.copy(coinbase, coinbase.length - work.coinb2.length);
  const header = Buffer.alloc(80);
  work.prevHashInternal.copy(header, 4);
  header.writeUInt32LE(work.bits >>> 0, 72);
  const entry = { coinbase, extranonce1Size, extranonce2Size, header };
  prepared.set(work, entry);
  return entry;
}

/** Share targets by difficulty: sessions share a handful of difficulties, and the exact bigint division is slow. */
const targets = new Map<number, bigint>();
const MAX_CACHED_TARGETS = 1024;

function shareTarget(difficulty: number): bigint {
  let target = targets.get(difficulty);
  if (target === undefined) {
    target = difficultyToTarget(difficulty);
    if (targets.size >= MAX_CACHED_TARGETS) targets.clear();
    targets.set(difficulty, target);
  }
  return target;
}

/** Network difficulty per work (stored with every share), computed once: the exact bigint division was per share. */
const networkDifficulties = new WeakMap<Sha256dWork, number>();

export function networkDifficultyOf(work: Sha256dWork): number {
  let difficulty = networkDifficulties.get(work);
  if (difficulty === undefined) {
    difficulty = targetToDifficulty(work.networkTarget);
    networkDifficulties.set(work, difficulty);
  }
  return difficulty;
}

export function checkShare(input: ShareInput): ShareCheck {
  const { work, req } = input;
  if (!isHex(req.extranonce2, input.extranonce2Size)) {
    return reject(StratumErrorCode.Other, `extranonce2 must be ${input.extranonce2Size * 2} hex characters, got '${req.extranonce2.slice(0, 32)}'`);
  }
  if (!isHex(req.ntime, 4)) return reject(StratumErrorCode.Other, `ntime must be 8 hex characters, got '${req.ntime.slice(0, 16)}'`);
  if (!isHex(req.nonce, 4)) return reject(StratumErrorCode.Other, `nonce must be 8 hex characters, got '${req.nonce.slice(0, 16)}'`);

  const ntime = parseInt(req.ntime, 16);
  if (ntime < work.mintime) return reject(StratumErrorCode.Other, `ntime ${ntime} is before the template's minimum time ${work.mintime}`);
  if (ntime > input.nowSeconds + MAX_NTIME_AHEAD_SECONDS) {
    return reject(StratumErrorCode.Other, `ntime ${ntime} is more than ${MAX_NTIME_AHEAD_SECONDS} s in the future`);
  }

  let version = work.version;
  if (req.versionBits !== undefined) {
    if (!isHex(req.versionBits, 4))
      return reject(StratumErrorCode.Other, `version bits must be 8 hex characters, got '${req.versionBits.slice(0, 16)}'`);
    const bits = parseInt(req.versionBits, 16) >>> 0;
    const outside = (bits & ~input.versionMask) >>> 0;
    if (outside !== 0) {
      return reject(
        StratumErrorCode.Other,
        `version bits ${req.versionBits} change bits outside the negotiated mask ${(input.versionMask >>> 0).toString(16).padStart(8, '0')}`,
      );
    }
    version = ((work.version & ~input.versionMask) | (bits & input.versionMask)) >>> 0;
  }

  const p = prepare(work, input.extranonce1.length, input.extranonce2Size);
  // The extranonces are decoded straight into the coinbase template (hex was checked above).
  const en1At = work.coinb1.length;
  input.extranonce1.copy(p.coinbase, en1At);
  p.coinbase.write(req.extranonce2, en1At + p.extranonce1Size, p.extranonce2Size, 'hex');
  const merkleRoot = merkleRootFromBranch(sha256d(p.coinbase), work.merkleBranch);
  // The nonce is sent as the big-endian hex of the uint32 the header stores little-endian.
  const nonce = parseInt(req.nonce, 16) >>> 0;
  p.header.writeUInt32LE(version, 0);
  merkleRoot.copy(p.header, 36);
  p.header.writeUInt32LE(ntime >>> 0, 68);
  p.header.writeUInt32LE(nonce, 76);
  const hash = hashHeader(p.header);

  const isBlock = hash.value <= work.networkTarget;
  const meetsShareTarget = hash.value <= shareTarget(input.jobDifficulty);
  const header = Buffer.from(p.header);
  const extranonce2 = p.coinbase.subarray(en1At + p.extranonce1Size, en1At + p.extranonce1Size + p.extranonce2Size);
  return {
    ok: true,
    solution: { extranonce1: input.extranonce1, extranonce2: Buffer.from(extranonce2), ntime, nonce, version, header, hashDisplay: hash.displayHex },
    hashValue: hash.value,
    meetsShareTarget,
    isBlock,
    // Exact where it is credited or recorded; a share below target only shows it in its error message.
    actualDifficulty: meetsShareTarget || isBlock ? hashValueDifficulty(hash.value) : hashValueDifficultyApprox(hash.value),
  };
}
