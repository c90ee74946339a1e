/**
 * The ledger on PostgreSQL with two pool instances (two Store connections, two ledgers): one leader judges the
 * block and pays, each owed amount exactly once; the other takes over when the leader stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedger } from '../../src/ledger/index.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/types.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { addPendingBlock, addShares, Clock, FakeChain, POOL } from './helpers.js';

let pg: TestPostgres;
let db: { url: string; drop(): Promise<void> };
const stores: Store[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  db = await pg.newDatabase();
}, 60_000);

afterAll(async () => {
  for (const s of stores) await s.close();
  await db?.drop();
  await pg?.stop();
});

describe('ledger on PostgreSQL, two instances', () => {
  it('credits, matures and pays exactly once with one leader at a time', async () => {
    const clock = new Clock();
    for (let i = 0; i < 2; i++) {
      const s = createPostgresStore(db.url, { now: clock.now });
      await s.migrate();
      stores.push(s);
    }
    const chain = new FakeChain({ coinbaseMaturity: 2, batches: true, kind: 'bitcoin', clock });
    const scheme = createPayoutScheme({ scheme: 'pplns', feePercent: 0.5, feeAddress: 'FEE' });
    const ledgers = stores.map((store, i) =>
      startLedger({ store, chain, pool: POOL, scheme, minPayout: 100n, autoStart: false, now: clock.now, holder: `instance-${i}` }),
    );
    const ids = await addShares(stores[0]!, clock, [
      ['A', 0.25],
      ['B', 0.75],
    ]);
    const blockId = await addPendingBlock(stores[1]!, clock, {
      height: 3,
      hash: 'h3',
      finder: 'B',
      shareId: ids[1]!,
      reward: 1_000_001n,
      networkDifficulty: 0.5,
    });
    chain.place(3, 'h3', 2);

    const reports = [];
    for (let round = 0; round < 3; round++) for (const l of ledgers) reports.push(await l.runOnce({ forcePayout: true }));
    expect(reports.map((r) => r.leader)).toEqual([true, false, true, false, true, false]);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    // Window 2 × 0.5 = 1 difficulty: A 0.25, B 0.75. Fee floor(1 000 001 × 50 / 10 000) = 5000; 995 001 split 1:3:
    // A 248 750, B 746 250, remainder 1 → B (the finder).
    expect(chain.wallet.calls).toHaveLength(1);
    expect(chain.wallet.calls[0]?.payments).toEqual([
      { address: 'A', amount: 248_750n },
      { address: 'B', amount: 746_251n },
      { address: 'FEE', amount: 5000n },
    ]);
    expect((await stores[0]!.blockById(blockId))?.status).toBe('confirmed');
    expect((await stores[0]!.paymentsByStatus(POOL, ['sent'])).map((p) => p.txid)).toEqual(['tx1', 'tx1', 'tx1']);

    await ledgers[0]!.stop();
    expect((await ledgers[1]!.runOnce()).leader).toBe(true);
    await ledgers[1]!.stop();
  }, 60_000);
});
