/**
 * GXC amounts: the node speaks floating GXC, the pool counts bigint units of 1e-8 GXC (the template's
 * `coinbasevalue` uses the same unit). Conversions are exact decimal arithmetic. Pure: no I/O.
 */
import { decimalToFraction } from '../../core/target.js';

export const GXC_UNITS_PER_COIN = 100_000_000n;
export const GXC_INITIAL_SUBSIDY_UNITS = 50n * GXC_UNITS_PER_COIN;
export const GXC_HALVING_INTERVAL = 1_051_200;

/** A node amount (a JSON number in GXC, or its decimal text) to units, rounded to the nearest unit. */
export function gxcAmountToUnits(amount: number | string): bigint {
  if (typeof amount === 'number' && (!Number.isFinite(amount) || amount < 0)) {
    throw new RangeError(`GXC amount must be a finite number >= 0, got ${amount}`);
  }
  const { num, den } = decimalToFraction(amount);
  // Doubles such as 0.30000000000000004 carry noise below 1e-8: round half up to the nearest unit.
  return (num * GXC_UNITS_PER_COIN * 2n + den) / (den * 2n);
}

/** Units to an exact decimal string in GXC ("1.5", "0.00000001"), as sent to `sendtoaddress`. */
export function unitsToGxcDecimal(units: bigint): string {
  if (units < 0n) throw new RangeError(`negative amount ${units}`);
  const whole = units / GXC_UNITS_PER_COIN;
  const frac = (units % GXC_UNITS_PER_COIN).toString().padStart(8, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** Block subsidy at `height` (50 GXC halving every 1,051,200 blocks; the node's floor is 1 unit). */
export function gxcSubsidyUnits(height: number): bigint {
  const halvings = Math.floor(height / GXC_HALVING_INTERVAL);
  const subsidy = halvings >= 64 ? 0n : GXC_INITIAL_SUBSIDY_UNITS >> BigInt(halvings);
  return subsidy < 1n ? 1n : subsidy;
}
