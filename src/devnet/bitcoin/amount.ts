/** BTC amounts as Bitcoin Core reads and prints them: exact fixed point with 8 decimals, never a double. */
import { JsonNumber } from './json.js';

export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;

export class AmountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmountError';
  }
}

/**
 * Parses "1.5", "0.00000001", "1e-8", a JSON number's text, or a JS number into satoshis. More than 8 decimals
 * → "Invalid amount"; negative or above 21M BTC → "Amount out of range" (Core's AmountFromValue messages).
 */
export function parseBtcAmount(value: string | number | JsonNumber): bigint {
  const text = value instanceof JsonNumber ? value.text : typeof value === 'number' ? String(value) : value.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new AmountError('Invalid amount');
  const negative = m[1] === '-';
  const intPart = m[2]!;
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0');
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 40) throw new AmountError('Invalid amount');
  // digits × 10^(exp - frac.length) satoshi-scaled by 10^8
  let digits = BigInt(intPart + frac);
  let shift = exp - frac.length + 8;
  if (shift >= 0) digits *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    if (digits % div !== 0n) throw new AmountError('Invalid amount');
    digits /= div;
    shift = 0;
  }
  if (negative && digits !== 0n) throw new AmountError('Amount out of range');
  if (digits > MAX_MONEY) throw new AmountError('Amount out of range');
  return digits;
}

/** 8-decimal text of a satoshi amount ("50.00000000", "-0.00001410"). */
export function formatBtc(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  return `${neg ? '-' : ''}${abs / COIN}.${(abs % COIN).toString().padStart(8, '0')}`;
}

/** A JSON number printed exactly as Core prints amounts. */
export function btcJson(sats: bigint): JsonNumber {
  return new JsonNumber(formatBtc(sats));
}
