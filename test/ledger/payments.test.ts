import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPaymentProcessor, type PaymentOptions, type PaymentProcessor } from '../../src/ledger/payments.js';
import { sendMatches } from '../../src/ledger/payouts/reconcile.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import type { PaymentRow, Store } from '../../src/store/types.js';
import { addPendingBlock, addShares, Clock, FakeChain, openStore, POOL, tempDir, until } from './helpers.js';

const GRACE = 600_000;
let dir: string;
let clock: Clock;
let store: Store;
let chain: FakeChain;
let height = 100;

beforeEach(async () => {
  dir = tempDir();
  clock = new Clock();
  store = await openStore(dir, clock);
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function useChain(batches: boolean): void {
  chain = new FakeChain({ kind: batches ? 'bitcoin' : 'gxc', coinbaseMaturity: 6, batches, clock });
}

/** Credits and matures one block whose PROP round is `shares` (no fee): difficulty d earns reward × d / Σd. */
async function fund(shares: Array<[string, number]>, reward: bigint): Promise<void> {
  const ids = await addShares(store, clock, shares);
  height += 1;
  await addPendingBlock(store, clock, {
    height,
    hash: `h${height}`,
    finder: shares[shares.length - 1]![0],
    shareId: ids[ids.length - 1]!,
    reward,
    networkDifficulty: 1,
  });
  chain.place(height, `h${height}`, 6);
  const prop = createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null });
  await createBlockLifecycle({ store, chain, scheme: prop, pool: POOL, logger: silentLogger, now: clock.now }).run();
}

function processor(s: Store = store, extra: Partial<PaymentOptions> = {}): PaymentProcessor {
  return createPaymentProcessor({ store: s, chain, pool: POOL, logger: silentLogger, now: clock.now, minPayout: 500n, graceMs: GRACE, ...extra });
}

async function payments(status: PaymentRow['status']): Promise<PaymentRow[]> {
  return store.paymentsByStatus(POOL, [status]);
}

/** A new "process" on the same database file after the old one died mid-run. */
async function restart(): Promise<void> {
  await store.close();
  store = await openStore(dir, clock);
}

describe('payments', () => {
  it('pays all payees in one sendmany on Bitcoin, then confirms', async () => {
    useChain(true);
    await fund(
      [
        ['A', 1],
        ['B', 3],
      ],
      4000n,
    );
    const p = processor();
    const report = await p.run();
    expect(chain.wallet.calls).toHaveLength(1);
    expect(chain.wallet.calls[0]?.payments).toEqual([
      { address: 'A', amount: 1000n },
      { address: 'B', amount: 3000n },
    ]);
    expect(chain.wallet.calls[0]?.comment).toMatch(/^gxc-pool general payout \w+/);
    expect(report.paid).toEqual([{ ids: expect.any(Array), txid: 'tx1' }]);
    const sent = await payments('sent');
    expect(sent.map((x) => [x.address, x.amount, x.txid])).toEqual([
      ['A', 1000n, 'tx1'],
      ['B', 3000n, 'tx1'],
    ]);
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 0n });

    await p.run({ force: true });
    expect(chain.wallet.calls).toHaveLength(1);
    chain.wallet.confirmations.set('tx1', 1);
    expect((await p.run()).confirmed).toHaveLength(2);
    expect(await payments('confirmed')).toHaveLength(2);
  });

  it('pays one transaction per recipient on GXC and says why others wait', async () => {
    useChain(false);
    await fund(
      [
        ['A', 10],
        ['B', 30],
        ['C', 1],
        ['badAddr', 10],
      ],
      5100n,
    );
    const p = processor();
    const plan = await p.dryRun();
    expect(plan.sendMode).toBe('per-recipient');
    expect(plan.payouts.map((x) => [x.address, x.amount])).toEqual([
      ['A', 1000n],
      ['B', 3000n],
    ]);
    expect(plan.total).toBe(4000n);
    expect(plan.walletBalance).toBe(chain.wallet.funds);
    expect(plan.skipped).toEqual([
      { address: 'C', confirmed: 100n, immature: 0n, reason: 'confirmed balance 100 below the minimum payout 500' },
      { address: 'badAddr', confirmed: 1000n, immature: 0n, reason: 'address cannot receive payouts: not a valid address' },
    ]);
    expect(chain.wallet.calls).toHaveLength(0); // the dry run wrote and sent nothing
    expect(await store.paymentsByStatus(POOL, ['pending', 'sent'])).toHaveLength(0);

    await p.run();
    expect(chain.wallet.calls.map((c) => c.payments)).toEqual([[{ address: 'A', amount: 1000n }], [{ address: 'B', amount: 3000n }]]);
    expect((await payments('sent')).map((x) => x.txid)).toEqual(['tx1', 'tx2']);
  });

  it('pays only once per interval unless forced', async () => {
    useChain(false);
    await fund([['A', 1]], 1000n);
    const p = processor(store, { payoutIntervalMs: 3_600_000 });
    await p.run();
    await fund([['A', 1]], 700n);
    clock.advance(60_000);
    expect((await p.run()).plan).toBeNull();
    clock.advance(3_600_000);
    await p.run();
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 700n]);
  });

  it('crash between intent and wallet call: refunded after the grace period, then paid exactly once', async () => {
    useChain(true);
    await fund(
      [
        ['A', 1],
        ['B', 1],
      ],
      2000n,
    );
    chain.wallet.mode = 'hang-before'; // the process dies before the call reaches the node
    void processor().run();
    await until(() => chain.wallet.calls.length === 1);
    await restart();
    chain.wallet.mode = 'ok';
    const p = processor();

    clock.advance(60_000);
    const early = await p.run();
    expect(early.reconciled.waiting).toHaveLength(2);
    expect(early.plan?.payouts).toEqual([]);
    expect(early.plan?.inFlight.map((x) => [x.address, x.amount, x.attempts])).toEqual([
      ['A', 1000n, 0],
      ['B', 1000n, 0],
    ]);
    expect(chain.wallet.history).toHaveLength(0);

    clock.advance(GRACE);
    const later = await p.run({ force: true });
    expect(later.reconciled.failed).toHaveLength(2);
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);
    expect(chain.wallet.paidTo('B')).toEqual([1000n]);
    const failed = await payments('failed');
    expect(failed.map((x) => x.error)).toEqual([expect.stringMatching(/never paid \(the wallet was never reached\)/), expect.any(String)]);
    expect(await store.balanceOf(POOL, 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 0n });

    clock.advance(2 * GRACE);
    await p.run({ force: true });
    expect(chain.wallet.history).toHaveLength(2);
  });

  it('crash between wallet call and mark-sent: found by reconciliation, never sent twice', async () => {
    useChain(false);
    await fund(
      [
        ['A', 1],
        ['B', 3],
      ],
      4000n,
    );
    chain.wallet.mode = 'hang-after'; // the money left, the process died before recording the txid
    void processor().run();
    await until(() => chain.wallet.history.length === 1);
    await restart();
    chain.wallet.mode = 'ok';
    const p = processor();

    clock.advance(60_000);
    expect((await p.run({ force: true })).reconciled.waiting).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);

    clock.advance(GRACE);
    const report = await p.run({ force: true });
    expect(report.reconciled.sent).toEqual([{ id: expect.any(Number), txid: 'tx1' }]);
    // B was never reached by the dead run: paid now, A not again.
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);
    expect(chain.wallet.paidTo('B')).toEqual([3000n]);
    expect((await payments('sent')).map((x) => [x.address, x.txid])).toEqual([
      ['A', 'tx1'],
      ['B', 'tx2'],
    ]);

    clock.advance(2 * GRACE);
    await p.run({ force: true });
    expect(chain.wallet.history).toHaveLength(2);
  });

  it('a wallet error is visible, retried with back-off, and settles exactly once', async () => {
    useChain(false);
    await fund([['A', 1]], 1000n);
    const p = processor(store, { retry: { baseMs: 120_000, maxMs: 3_600_000 } });

    chain.wallet.mode = 'throw-after'; // timed out, but the node did send
    const first = await p.run();
    expect(first.failures).toEqual([{ ids: expect.any(Array), error: 'wallet: request timed out' }]);
    const [pending] = await payments('pending');
    expect([pending?.attempts, pending?.error]).toEqual([1, 'wallet: request timed out']);
    chain.wallet.mode = 'ok';
    clock.advance(GRACE + 1);
    await p.run({ force: true });
    expect((await payments('sent')).map((x) => x.txid)).toEqual(['tx1']);
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);

    await fund([['A', 1]], 800n);
    chain.wallet.mode = 'throw-before'; // refused: nothing left the wallet
    await p.run({ force: true });
    chain.wallet.mode = 'ok';
    clock.advance(GRACE + 1);
    const settled = await p.run({ force: true });
    expect(settled.reconciled.failed).toHaveLength(1);
    const [failed] = await payments('failed');
    expect(failed?.attempts).toBe(1);
    expect(failed?.error).toMatch(/never paid \(last error: wallet: connection reset\)/);
    expect(settled.plan?.skipped[0]?.reason).toMatch(/^retry 2 after .* \(last error: .*connection reset\)/);
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);

    clock.advance(120_001);
    await p.run({ force: true });
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 800n]);
  });

  it('does not take a txid that already pays another payment of the same amount', async () => {
    useChain(false);
    await fund([['A', 1]], 1000n);
    const p = processor(store, { clockSkewMs: 3_600_000 });
    await p.run();
    await fund([['A', 1]], 1000n);
    chain.wallet.mode = 'hang-before';
    void p.run({ force: true });
    await until(() => chain.wallet.calls.length === 2);
    await restart();
    chain.wallet.mode = 'ok';
    clock.advance(GRACE + 1);
    const report = await processor(store, { clockSkewMs: 3_600_000 }).run();
    expect(report.reconciled.failed).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 1000n]);
  });

  it('never guesses when the wallet history does not reach back to the payment', async () => {
    useChain(false);
    await fund([['A', 1]], 1000n);
    chain.wallet.mode = 'hang-before';
    void processor().run();
    await until(() => chain.wallet.calls.length === 1);
    await restart();
    chain.wallet.mode = 'ok';
    clock.advance(GRACE + 1);
    for (let i = 0; i < 30; i++)
      chain.wallet.history.push({ address: `other${i}`, amount: 5n, txid: `o${i}`, time: Math.floor(clock.t / 1000), comment: '' });
    const short = await processor(store, { historyCount: 5, maxHistoryCount: 20 }).run();
    expect(short.reconciled.waiting).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([]);
    const enough = await processor(store, { historyCount: 5, maxHistoryCount: 80 }).run();
    expect(enough.reconciled.failed).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);
  });

  it('waits while the wallet history is unreadable or misses a payment known to be sent', async () => {
    useChain(false);
    await fund([['A', 1]], 1000n);
    await processor().run(); // tx1, recorded
    clock.advance(2 * GRACE);
    await fund(
      [
        ['A', 1],
        ['B', 1],
      ],
      2000n,
    );
    chain.wallet.mode = 'hang-after'; // A's second payment left, the process died
    void processor().run();
    await until(() => chain.wallet.history.length === 2);
    await restart();
    chain.wallet.mode = 'ok';
    clock.advance(GRACE + 1);

    const realHistory = chain.wallet.recentSends.bind(chain.wallet);
    chain.wallet.recentSends = async () => []; // like a node without listtransactions
    const blind = await processor().run();
    expect(blind.reconciled.waiting).toHaveLength(1); // tx1 is known but not listed: no verdict
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 1000n]);
    expect(chain.wallet.paidTo('B')).toEqual([1000n]); // never reached by the dead run: the rest of the pool is paid

    chain.wallet.recentSends = async () => {
      throw new Error('listtransactions: connection refused');
    };
    const failing = await processor().run();
    expect(failing.reconciled.waiting).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 1000n]);

    chain.wallet.recentSends = realHistory;
    const seen = await processor().run();
    expect(seen.reconciled.sent).toEqual([{ id: expect.any(Number), txid: 'tx2' }]);
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 1000n]);
  });

  it('postpones a payout the wallet cannot cover, creating no intent', async () => {
    useChain(true);
    await fund([['A', 1]], 1000n);
    chain.wallet.funds = 999n;
    const report = await processor().run();
    expect(report.plan?.walletNote).toBe('wallet balance 999 is below the payout total 1000');
    expect(chain.wallet.calls).toHaveLength(0);
    expect(await store.paymentsByStatus(POOL, ['pending', 'sent', 'failed'])).toHaveLength(0);
  });

  it('matches wallet sends by address, amount, time and batch comment', () => {
    const payment: PaymentRow = {
      id: 1,
      pool: POOL,
      address: 'A',
      amount: 10n,
      status: 'pending',
      batchId: 'b1',
      txid: null,
      attempts: 0,
      error: null,
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
    };
    const send = { address: 'A', amount: 10n, txid: 't', time: 1_700_000_000 };
    expect(sendMatches(payment, send, 0)).toBe(true);
    expect(sendMatches(payment, { ...send, amount: 11n }, 0)).toBe(false);
    expect(sendMatches(payment, { ...send, address: 'B' }, 0)).toBe(false);
    expect(sendMatches(payment, { ...send, time: 1_699_999_999 }, 0)).toBe(false);
    expect(sendMatches(payment, { ...send, time: 1_699_999_999 }, 5000)).toBe(true);
    expect(sendMatches(payment, { ...send, comment: 'gxc-pool general payout b1' }, 0)).toBe(true);
    expect(sendMatches(payment, { ...send, comment: 'gxc-pool general payout b2' }, 0)).toBe(false);
  });

  it('refuses a non-positive minimum payout', () => {
    useChain(false);
    expect(() => processor(store, { minPayout: 0n })).toThrow(/minimum payout must be a positive amount/);
  });
});
