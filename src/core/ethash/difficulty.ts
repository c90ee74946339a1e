/**
 * Ethash boundaries and difficulties. Two units meet here:
 * - the pool's share difficulty D (same unit as SHA-256d: difficulty 1 = 2^32 hashes per share on average),
 *   boundary = floor(2^256 / (D · 2^32));
 * - the raw Ethash difficulty of nodes and of the reference library (difficulty = hashes per solution),
 *   boundary = floor(2^256 / difficulty).
 * Exact integer arithmetic throughout. Pure: no I/O.
 */
import { decimalToFraction } from '../target.js';

export const MAX_BOUNDARY = (1n << 256n) - 1n;
const TWO_256 = 1n << 256n;
const TWO_224 = 1n << 224n;

/** Reads 32 bytes as a big-endian 256-bit integer (Ethash never reverses hashes). */
export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length !== 32) throw new RangeError(`expected a 32-byte hash, got ${hash.length} bytes`);
  return BigInt(`0x${Buffer.from(hash.buffer, hash.byteOffset, 32).toString('hex')}`);
}

/** 32-byte big-endian form of a boundary (eth_getWork's third field, without 0x when hex-encoded). */
export function boundaryToBytes(boundary: bigint): Buffer {
  if (boundary < 0n || boundary > MAX_BOUNDARY) throw new RangeError('boundary out of 256-bit range');
  return Buffer.from(boundary.toString(16).padStart(64, '0'), 'hex');
}

/**
 * Share boundary for pool difficulty D (number, or decimal text for exactness): floor(2^256 / (D · 2^32)),
 * capped at 2^256 − 1. D is taken as the decimal written, as the SHA-256d share target is.
 */
export function boundaryFromDifficulty(difficulty: number | string): bigint {
  const { num, den } = decimalToFraction(difficulty);
  if (num === 0n) throw new RangeError('difficulty must be > 0');
  const boundary = (TWO_224 * den) / num;
  return boundary > MAX_BOUNDARY ? MAX_BOUNDARY : boundary;
}

/** The pool difficulty a final hash reaches: 2^224 / hash (Infinity for a zero hash). */
export function difficultyFromHash(finalHash: Uint8Array): number {
  const value = hashToBigInt(finalHash);
  if (value === 0n) return Number.POSITIVE_INFINITY;
  // 64 extra bits keep the quotient's precision when the difficulty is far below 1.
  return Number((TWO_224 << 64n) / value) / 2 ** 64;
}

/** Boundary for a raw Ethash difficulty: floor(2^256 / difficulty); difficulty ≤ 1 lets every hash pass. */
export function boundaryFromRawDifficulty(difficulty: bigint): bigint {
  if (difficulty <= 0n) throw new RangeError('difficulty must be > 0');
  if (difficulty === 1n) return MAX_BOUNDARY;
  return TWO_256 / difficulty;
}

/** The largest raw difficulty a final hash meets: floor(2^256 / hash). */
export function rawDifficultyFromHash(finalHash: Uint8Array): bigint {
  const value = hashToBigInt(finalHash);
  return value === 0n ? TWO_256 : TWO_256 / value;
}
