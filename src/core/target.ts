/** Targets, compact "bits" and difficulty, all in exact integer arithmetic. Pure: no I/O. */

/** Difficulty-1 target (the target of bits 1d00ffff). */
export const DIFF1_TARGET = 0x00000000ffff0000000000000000000000000000000000000000000000000000n;
export const MAX_256 = (1n << 256n) - 1n;

export interface DecodedBits {
  target: bigint;
  negative: boolean;
  overflow: boolean;
}

/** Decodes compact bits exactly as Bitcoin Core's arith_uint256::SetCompact does. */
export function decodeBits(bits: number | string): DecodedBits {
  const compact = typeof bits === 'string' ? parseInt(bits, 16) >>> 0 : bits >>> 0;
  const exponent = compact >>> 24;
  let mantissa = BigInt(compact & 0x007fffff);
  let target: bigint;
  if (exponent <= 3) {
    mantissa >>= BigInt(8 * (3 - exponent));
    target = mantissa;
  } else {
    target = mantissa << BigInt(8 * (exponent - 3));
  }
  const negative = mantissa !== 0n && (compact & 0x00800000) !== 0;
  const overflow = mantissa !== 0n && (exponent > 34 || (mantissa > 0xffn && exponent > 33) || (mantissa > 0xffffn && exponent > 32));
  return { target: overflow ? target & MAX_256 : target, negative, overflow };
}

/** A usable network target from bits, or an error for zero/negative/overflowing encodings. */
export function bitsToTarget(bits: number | string): bigint {
  const d = decodeBits(bits);
  if (d.negative || d.overflow || d.target === 0n) {
    throw new Error(`invalid compact target bits ${typeof bits === 'string' ? bits : bits.toString(16)}`);
  }
  return d.target;
}

/** Encodes a target as compact bits (Bitcoin Core's GetCompact), returned as 8 hex chars. */
export function targetToBits(target: bigint): string {
  let size = Math.ceil(target.toString(16).length / 2);
  if (target === 0n) size = 0;
  let compact: bigint;
  if (size <= 3) compact = target << BigInt(8 * (3 - size));
  else compact = target >> BigInt(8 * (size - 3));
  if (compact & 0x00800000n) {
    compact >>= 8n;
    size += 1;
  }
  const value = (BigInt(size) << 24n) | compact;
  return value.toString(16).padStart(8, '0');
}

/** Parses a non-negative decimal (also in exponent form, e.g. "1e-7") as an exact fraction num/den. */
export function decimalToFraction(value: number | string): { num: bigint; den: bigint } {
  const text = typeof value === 'number' ? numberToDecimalString(value) : value.trim();
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new Error(`not a decimal number: ${text}`);
  const intPart = m[1] ?? '';
  const fracPart = m[2] ?? '';
  const exp = Number(m[3] ?? '0');
  let num = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  let den = 10n ** BigInt(fracPart.length);
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  return { num, den };
}

function numberToDecimalString(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new Error(`difficulty must be a finite non-negative number, got ${n}`);
  return String(n);
}

/** Share target for pool difficulty D: floor(diff1 / D), with D taken as the decimal written. */
export function difficultyToTarget(difficulty: number | string): bigint {
  const { num, den } = decimalToFraction(difficulty);
  if (num === 0n) throw new Error('difficulty must be > 0');
  const t = (DIFF1_TARGET * den) / num;
  return t > MAX_256 ? MAX_256 : t;
}

const DIFF1_BITS = 224;

/** Bits needed to write a positive integer (hex is far cheaper to produce than the binary string). */
function bitLength(n: bigint): number {
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + Number.parseInt(hex[0] as string, 16).toString(2).length;
}

/** Difficulty of a target (diff1 / target) as the nearest double. */
export function targetToDifficulty(target: bigint): number {
  if (target <= 0n) return Infinity;
  // A fixed scale loses precision for large targets (difficulty < 1, e.g. regtest): scale so the integer quotient
  // always has >= 64 significant bits, then keep a sticky bit so Number() rounds the exact ratio correctly.
  const shift = Math.max(0, bitLength(target) - DIFF1_BITS + 64);
  const scaledNum = DIFF1_TARGET << BigInt(shift);
  const q = scaledNum / target;
  const sticky = scaledNum % target === 0n ? 0n : 1n;
  return Number((q << 1n) | sticky) / 2 ** (shift + 1);
}

/** Difficulty a hash value reaches (diff1 / hashValue), for stats and "best share". */
export function hashValueDifficulty(hashValue: bigint): number {
  return targetToDifficulty(hashValue === 0n ? 1n : hashValue);
}

const DIFF1_AS_NUMBER = Number(DIFF1_TARGET);

/**
 * diff1 / hashValue in floating point: within a few units in the last place of the exact figure, at a fraction of
 * the cost. For what is only shown (a rejected share's difficulty in its error message), not for what is credited.
 */
export function hashValueDifficultyApprox(hashValue: bigint): number {
  return DIFF1_AS_NUMBER / Number(hashValue === 0n ? 1n : hashValue);
}
