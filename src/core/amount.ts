/** Coin decimals <-> smallest-unit bigint, exactly (never through floating-point arithmetic). */
import { decimalToFraction } from './target.js';

/** Both Bitcoin and GXC count 1e-8 of a coin. */
export const UNITS_PER_COIN = 100_000_000n;

/** Exact 8-decimal string for an amount in smallest units, e.g. 123456789n -> "1.23456789". */
export function unitsToCoinString(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const frac = (abs % UNITS_PER_COIN).toString().padStart(8, '0');
  return `${negative ? '-' : ''}${abs / UNITS_PER_COIN}.${frac}`;
}

/**
 * Smallest units from a coin amount (a JSON number such as 50.0002044, or a decimal string). The number's shortest
 * decimal form is read exactly; anything finer than one unit is an error rather than a silent rounding.
 */
export function coinsToUnits(value: number | string): bigint {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`amount is not finite: ${value}`);
  const text = (typeof value === 'number' ? String(value) : value).trim();
  const negative = text.startsWith('-');
  const { num, den } = decimalToFraction(negative ? text.slice(1) : text);
  const scaled = num * UNITS_PER_COIN;
  if (scaled % den !== 0n) throw new Error(`amount ${text} is finer than 1e-8 of a coin`);
  const units = scaled / den;
  return negative ? -units : units;
}
