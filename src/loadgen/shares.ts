/**
 * The shares a load-generator session sends: ground for real against the announced target (the pool must accept
 * them), or random nonces (the pool does the full check and rejects them for low difficulty). Pure: no I/O.
 */
import { hash } from 'node:crypto';
import { difficultyToTarget } from '../core/target.js';
import { buildHeader, type MinerJob } from '../miner/work.js';

export interface SubmitFields {
  extranonce2: string;
  ntime: string;
  nonce: string;
}

/** `hashDisplay`: the share's sha256d in display order (reversed), as the pool stores it. */
export type GrindResult = { ok: true; fields: SubmitFields; hashes: number; hashDisplay: string } | { ok: false; hashes: number };

/** 32-byte big-endian target for a difficulty (what digests are compared against, byte by byte). */
export function targetBytes(target: bigint): Buffer {
  return Buffer.from(target.toString(16).padStart(64, '0'), 'hex');
}

export function shareTargetBytes(difficulty: number): Buffer {
  return targetBytes(difficultyToTarget(difficulty));
}

/** Network target from compact nbits (for grinding a block). */
export function nbitsTargetBytes(nbits: number): Buffer {
  const exponent = nbits >>> 24;
  const mantissa = BigInt(nbits & 0x007fffff);
  const target = exponent <= 3 ? mantissa >> BigInt(8 * (3 - exponent)) : mantissa << BigInt(8 * (exponent - 3));
  return targetBytes(target);
}

/** A sha256d digest read little-endian is at most the big-endian target. */
export function meetsTarget(digest: Buffer, target: Buffer): boolean {
  for (let i = 0; i < 32; i++) {
    const a = digest[31 - i] as number;
    const b = target[i] as number;
    if (a !== b) return a < b;
  }
  return true;
}

function extranonce2Bytes(counter: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let v = counter;
  for (let i = size - 1; i >= 0 && v > 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/**
 * Searches nonces from 0 for this extranonce2 until the header meets `target`, at most `maxHashes` hashes.
 * Each call takes a fresh extranonce2 (the caller's counter), so no two shares of a session repeat a header.
 */
export function grindShare(
  job: MinerJob,
  extranonce1: Buffer,
  extranonce2Size: number,
  extranonce2Counter: number,
  target: Buffer,
  maxHashes: number,
): GrindResult {
  const en2 = extranonce2Bytes(extranonce2Counter, extranonce2Size);
  const header = buildHeader(job, extranonce1, en2, job.version);
  for (let nonce = 0; nonce < maxHashes; nonce++) {
    header.writeUInt32LE(nonce >>> 0, 76);
    const digest = hash('sha256', hash('sha256', header, 'buffer'), 'buffer');
    if (meetsTarget(digest, target)) {
      const fields = { extranonce2: en2.toString('hex'), ntime: job.ntimeHex, nonce: hex8(nonce) };
      return { ok: true, hashes: nonce + 1, fields, hashDisplay: Buffer.from(digest).reverse().toString('hex') };
    }
  }
  return { ok: false, hashes: maxHashes };
}

/** A well-formed share with a random nonce: the pool hashes it in full and (almost always) rejects it. */
export function randomShare(job: MinerJob, extranonce2Size: number, extranonce2Counter: number, random: () => number): SubmitFields {
  return {
    extranonce2: extranonce2Bytes(extranonce2Counter, extranonce2Size).toString('hex'),
    ntime: job.ntimeHex,
    nonce: hex8(Math.floor(random() * 0x1_0000_0000)),
  };
}
