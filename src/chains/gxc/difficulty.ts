/**
 * GXC difficulty is counted in leading hexadecimal zeros of the block hash's display hex (the node's check:
 * `hash` has at least floor(difficulty) leading '0' characters). Read as a big-endian 256-bit number that is
 * exactly: hash < 16^(64 - floor(d)). Bitcoin compares sha256d(header) as a little-endian integer, which is the
 * big-endian value of the display hex, so the same bound works as a Stratum network target. Pure: no I/O.
 */
import { targetToBits } from '../../core/target.js';

/** Zeros the node requires for `difficulty` (fractions are floored, as the node does). */
export function requiredLeadingZeros(difficulty: number): number {
  if (!Number.isFinite(difficulty) || difficulty < 0) throw new RangeError(`GXC difficulty must be a finite number >= 0, got ${difficulty}`);
  return Math.min(64, Math.floor(difficulty));
}

/** Largest hash value (big-endian display hex) that makes a block: 16^(64 - floor(d)) - 1. */
export function gxcDifficultyToTarget(difficulty: number): bigint {
  return (1n << BigInt(4 * (64 - requiredLeadingZeros(difficulty)))) - 1n;
}

/** Compact bits of the GXC target, written into the bridge header for miners' information. */
export function gxcTargetBits(difficulty: number): number {
  return parseInt(targetToBits(gxcDifficultyToTarget(difficulty)), 16) >>> 0;
}

/** Leading '0' characters of a hex hash, as the node counts them. */
export function leadingHexZeros(hashHex: string): number {
  let n = 0;
  while (n < hashHex.length && hashHex[n] === '0') n++;
  return n;
}

export function meetsGxcDifficulty(hashHex: string, difficulty: number): boolean {
  return leadingHexZeros(hashHex) >= requiredLeadingZeros(difficulty);
}

/** Expected hashes per block at `difficulty` (16^floor(d)), for logs and devnet timing notes. */
export function expectedHashesPerBlock(difficulty: number): number {
  return 16 ** requiredLeadingZeros(difficulty);
}
