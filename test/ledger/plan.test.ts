import { describe, expect, it } from 'vitest';
import { failureStreak, planPayouts, retryDelayMs } from '../../src/ledger/payouts/plan.js';
import type { PaymentRow } from '../../src/store/types.js';

const row = (p: Partial<PaymentRow>): PaymentRow => ({
  id: 1,
  pool: 'p',
  address: 'A',
  amount: 10n,
  status: 'failed',
  batchId: 'b',
  txid: null,
  attempts: 1,
  error: 'e',
  createdAt: 0,
  updatedAt: 0,
  ...p,
});

describe('planPayouts', () => {
  const base = {
    pool: 'p',
    now: 1_000_000,
    minPayout: 100n,
    pending: [] as PaymentRow[],
    history: new Map<string, PaymentRow[]>(),
    validateAddress: () => null,
    retry: { baseMs: 1000, maxMs: 10_000 },
    sendMode: 'sendmany' as const,
  };

  it('pays whole confirmed balances at or above the minimum and explains the rest', () => {
    const plan = planPayouts({
      ...base,
      pending: [row({ id: 7, address: 'D', status: 'pending', attempts: 0, error: null })],
      balances: [
        { address: 'B', immature: 5n, confirmed: 100n },
        { address: 'A', immature: 0n, confirmed: 250n },
        { address: 'C', immature: 40n, confirmed: 0n },
        { address: 'D', immature: 0n, confirmed: 300n },
        { address: 'E', immature: 0n, confirmed: -20n },
        { address: 'F', immature: 0n, confirmed: 0n },
      ],
    });
    expect(plan.payouts.map((x) => [x.address, x.amount, x.immature])).toEqual([
      ['A', 250n, 0n],
      ['B', 100n, 5n],
    ]);
    expect(plan.total).toBe(350n);
    expect(plan.skipped.map((x) => [x.address, x.reason])).toEqual([
      ['C', 'only immature balance 40 (waiting for coinbase maturity)'],
      ['D', 'a payment to this address is still being settled'],
      ['E', expect.stringMatching(/^confirmed balance -20 is negative/)],
    ]);
    expect(plan.inFlight.map((x) => x.id)).toEqual([7]);
  });

  it('backs off per consecutive wallet failure, ignoring rows failed by a crash', () => {
    const history = [
      row({ id: 5, updatedAt: 999_000, attempts: 0 }), // died before the wallet: no back-off
      row({ id: 4, updatedAt: 998_500, error: 'Insufficient funds' }),
      row({ id: 3, updatedAt: 990_000 }),
      row({ id: 2, status: 'sent' }),
      row({ id: 1 }),
    ];
    expect(failureStreak(history)).toEqual({ failures: 2, lastFailedAt: 998_500, lastError: 'Insufficient funds' });
    expect(retryDelayMs(2, base.retry)).toBe(2000);
    expect(retryDelayMs(9, base.retry)).toBe(10_000);
    const wait = planPayouts({ ...base, history: new Map([['A', history]]), balances: [{ address: 'A', immature: 0n, confirmed: 500n }] });
    expect(wait.payouts).toEqual([]);
    expect(wait.skipped[0]?.reason).toBe(`retry 3 after ${new Date(1_000_500).toISOString()} (last error: Insufficient funds)`);
    const go = planPayouts({
      ...base,
      now: 1_000_500,
      history: new Map([['A', history]]),
      balances: [{ address: 'A', immature: 0n, confirmed: 500n }],
    });
    expect(go.payouts[0]?.previousFailures).toBe(2);
  });
});
