/** BTC decimal <-> satoshi bigint, exactly (never through floating-point arithmetic). */
import { decimalToFraction } from '../../core/target.js';

export const SATOSHI_PER_BTC = 100_000_000n;

/** Exact 8-decimal BTC string for a satoshi amount, e.g. 123456789n -> "1.23456789". */
export function satoshiToBtcString(sat: bigint): string {
  const negative = sat < 0n;
  const abs = negative ? -sat : sat;
  const whole = abs / SATOSHI_PER_BTC;
  const frac = (abs % SATOSHI_PER_BTC).toString().padStart(8, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/**
 * Satoshi from a node's BTC amount (a JSON number such as 50.0002044, or a decimal string). The number's shortest
 * decimal form is read exactly; anything finer than 1 satoshi is an error rather than a silent rounding.
 */
export function btcToSatoshi(value: number | string): bigint {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`amount is not finite: ${value}`);
  const text = (typeof value === 'number' ? String(value) : value).trim();
  const negative = text.startsWith('-');
  const { num, den } = decimalToFraction(negative ? text.slice(1) : text);
  const scaled = num * SATOSHI_PER_BTC;
  if (scaled % den !== 0n) throw new Error(`amount ${text} is not a whole number of satoshi`);
  const sat = scaled / den;
  return negative ? -sat : sat;
}
