/**
 * The pure part of the share pipeline: from a submit and its job to a header, a hash and a verdict.
 * No I/O, no state: duplicates and persistence are the caller's.
 */
import type { BlockSolution, Sha256dWork } from '../chains/types.js';
import { isHex } from '../core/bytes.js';
import { hashHeader, serializeHeader } from '../core/header.js';
import { sha256d } from '../core/hash.js';
import { merkleRootFromBranch } from '../core/merkle.js';
import { difficultyToTarget, hashValueDifficulty } from '../core/target.js';
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
      actualDifficulty: number;
    };

const reject = (code: StratumErrorCode, message: string): ShareCheck => ({ ok: false, code, message });

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

  const extranonce2 = Buffer.from(req.extranonce2, 'hex');
  const coinbase = Buffer.concat([work.coinb1, input.extranonce1, extranonce2, work.coinb2]);
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), work.merkleBranch);
  // The nonce is sent as the big-endian hex of the uint32 the header stores little-endian.
  const nonce = parseInt(req.nonce, 16) >>> 0;
  const header = serializeHeader({ version, prevHash: work.prevHashInternal, merkleRoot, time: ntime, bits: work.bits, nonce });
  const hash = hashHeader(header);

  const isBlock = hash.value <= work.networkTarget;
  const meetsShareTarget = hash.value <= difficultyToTarget(input.jobDifficulty);
  return {
    ok: true,
    solution: { extranonce1: input.extranonce1, extranonce2, ntime, nonce, version, header, hashDisplay: hash.displayHex },
    hashValue: hash.value,
    meetsShareTarget,
    isBlock,
    actualDifficulty: hashValueDifficulty(hash.value),
  };
}
