/**
 * Bech32 is case-insensitive: "BCRT1Q..." and "bcrt1q..." are one destination, and Bitcoin Core's sendmany refuses
 * a batch naming it twice ("Invalid parameter, duplicated address"), which would block every payout run.
 */
import { describe, expect, it } from 'vitest';
import { mergePayments } from '../../../src/chains/bitcoin/wallet.js';
import { rejects } from './fixtures.js';

describe('mergePayments and address case', () => {
  const lower = rejects.pool_payout.address.toLowerCase();
  const upper = lower.toUpperCase();

  it('merges the upper- and lower-case forms of one bech32 address into one recipient', () => {
    const merged = mergePayments([
      { address: lower, amount: 100n },
      { address: upper, amount: 23n },
    ]);
    expect([...merged.entries()]).toEqual([[lower, 123n]]);
  });

  it('keeps Base58 addresses case-sensitive (different case is a different address)', () => {
    const a = 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn';
    const merged = mergePayments([
      { address: a, amount: 1n },
      { address: a, amount: 2n },
    ]);
    expect([...merged.entries()]).toEqual([[a, 3n]]);
  });
});
