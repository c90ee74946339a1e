/**
 * PROP rounds are delimited by the pool's previous block. A block whose submit outcome was lost stays 'candidate'
 * until the lifecycle finds it on the main chain (after the candidate grace period); a later block must not be
 * credited meanwhile, or its round would swallow the candidate's round and the candidate, once accepted, would pay
 * the same shares a second time.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import { addPendingBlock, addShares, Clock, FakeChain, openStore, POOL, tempDir } from './helpers.js';

let dir: string;
let clock: Clock;
let store: Store;
let chain: FakeChain;

beforeEach(async () => {
  dir = tempDir();
  clock = new Clock();
  store = await openStore(dir, clock);
  chain = new FakeChain({ coinbaseMaturity: 6, batches: false, clock });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PROP rounds and a candidate whose outcome was lost', () => {
  it('credits each share in one round only', async () => {
    const prop = createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null });
    const life = createBlockLifecycle({ store, chain, scheme: prop, pool: POOL, logger: silentLogger, now: clock.now, candidateGraceMs: 120_000 });
    // Round 1: A's shares, block 10 found by A; the process died before recording the node's answer.
    const round1 = await addShares(store, clock, [
      ['A', 1],
      ['A', 1],
    ]);
    const first = await store.insertBlock({
      pool: POOL,
      chain: 'gxc',
      height: 10,
      hash: 'h10',
      prevHash: '00',
      headerHex: '00',
      submission: '{}',
      address: 'A',
      worker: 'w1',
      reward: 1000n,
      networkDifficulty: 1,
      shareId: round1[1]!,
      createdAt: clock.t,
    });
    // Round 2: B's shares, block 11 found by B and accepted normally.
    const round2 = await addShares(store, clock, [
      ['B', 1],
      ['B', 1],
    ]);
    const second = await addPendingBlock(store, clock, {
      height: 11,
      hash: 'h11',
      finder: 'B',
      shareId: round2[1]!,
      reward: 1000n,
      networkDifficulty: 1,
    });
    chain.place(10, 'h10', 2);
    chain.place(11, 'h11', 1);

    clock.advance(10_000); // block 10 is still within the candidate grace period
    await life.run();
    clock.advance(120_000);
    await life.run();

    expect((await store.blockById(first))?.status).toBe('immature');
    expect((await store.blockById(second))?.status).toBe('immature');
    const rewards = async (id: number) => (await store.blockRewards(id)).map((r) => [r.address, r.amount, r.shareCount]);
    expect(await rewards(first)).toEqual([['A', 1000n, 2]]);
    expect(await rewards(second)).toEqual([['B', 1000n, 2]]);
  });
});
