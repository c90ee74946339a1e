import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLedger, type Ledger, type LedgerOptions } from '../../src/ledger/index.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import type { Store } from '../../src/store/types.js';
import { addPendingBlock, addShares, Clock, FakeChain, openStore, POOL, tempDir, until } from './helpers.js';

let dir: string;
let clock: Clock;
let stores: Store[];
let ledgers: Ledger[];
let chain: FakeChain;

beforeEach(async () => {
  dir = tempDir();
  clock = new Clock();
  stores = [await openStore(dir, clock), await openStore(dir, clock)];
  ledgers = [];
  chain = new FakeChain({ coinbaseMaturity: 6, batches: false, clock });
});

afterEach(async () => {
  for (const l of ledgers) await l.stop();
  for (const s of stores) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function ledger(store: Store, holder: string, extra: Partial<LedgerOptions> = {}): Ledger {
  const l = startLedger({
    store,
    chain,
    pool: POOL,
    holder,
    minPayout: 100n,
    autoStart: false,
    now: clock.now,
    scheme: createPayoutScheme({ scheme: 'pplns', feePercent: 2, feeAddress: 'FEE' }),
    ...extra,
  });
  ledgers.push(l);
  return l;
}

describe('startLedger', () => {
  it('turns shares into a confirmed block and a payment, run by exactly one instance', async () => {
    const [one, two] = [ledger(stores[0]!, 'one'), ledger(stores[1]!, 'two')];
    const ids = await addShares(stores[0]!, clock, [
      ['A', 1],
      ['B', 1],
    ]);
    const blockId = await addPendingBlock(stores[0]!, clock, {
      height: 9,
      hash: 'h9',
      finder: 'B',
      shareId: ids[1]!,
      reward: 10_000n,
      networkDifficulty: 1,
    });
    chain.place(9, 'h9', 1);

    const first = await one.runOnce();
    expect(first.leader).toBe(true);
    expect(first.lifecycle?.changes.map((c) => c.to)).toEqual(['immature']);
    expect((await two.runOnce()).leader).toBe(false);

    chain.place(9, 'h9', 6);
    const matured = await one.runOnce({ forcePayout: true });
    expect(matured.lifecycle?.changes.map((c) => c.to)).toEqual(['confirmed']);
    // Window 2 × 1: A 1, B 1; fee 2 % = 200; 9800 / 2 each. The fee address is paid like any other.
    expect(matured.payments?.paid).toHaveLength(3);
    expect(chain.wallet.paidTo('A')).toEqual([4900n]);
    expect(chain.wallet.paidTo('B')).toEqual([4900n]);
    expect(chain.wallet.paidTo('FEE')).toEqual([200n]);
    expect((await stores[1]!.blockById(blockId))?.status).toBe('confirmed');

    const plan = await two.dryRun(); // needs no lease
    expect(plan.payouts).toEqual([]);
  });

  it('hands leadership over when the leader stops or its lease expires', async () => {
    const [one, two] = [ledger(stores[0]!, 'one', { leaseTtlMs: 90_000 }), ledger(stores[1]!, 'two', { leaseTtlMs: 90_000 })];
    expect((await one.runOnce()).leader).toBe(true);
    expect((await two.runOnce()).leader).toBe(false);
    await one.stop();
    expect((await two.runOnce()).leader).toBe(true);
    expect((await one.runOnce()).leader).toBe(false); // a stopped ledger can still be asked, but the lease is two's

    clock.advance(90_001); // two died without releasing
    const three = ledger(stores[0]!, 'three');
    expect((await three.runOnce()).leader).toBe(true);
    expect((await two.runOnce()).leader).toBe(false);
  });

  it('keeps ticking on its own and reports node failures without stopping', async () => {
    let asked = 0;
    chain.syncState = async () => {
      asked += 1;
      throw new Error('node unreachable');
    };
    const l = ledger(stores[0]!, 'auto', { autoStart: true, tickMs: 20 });
    await until(() => asked >= 3);
    const report = await l.runOnce();
    expect(report.leader).toBe(true);
    expect(report.errors).toEqual(['lifecycle: node unreachable']);
    expect(report.payments).not.toBeNull();
    await l.stop();
    expect(await stores[1]!.leaseOf(`ledger:${POOL}`)).toBeNull();
  });
});
