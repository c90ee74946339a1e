/**
 * Several pools (asic, gpu, general) of one process pay from ONE node wallet, so the wallet history reconciliation
 * reads holds every pool's sends. A send that is already recorded as another pool's payment must never be taken
 * as proof that this pool's interrupted payment was made: that payment's owed amount would never be paid.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPaymentProcessor, type PaymentProcessor } from '../../src/ledger/payments.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import { Clock, FakeChain, openStore, tempDir, until } from './helpers.js';

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
  chain = new FakeChain({ kind: 'gxc', coinbaseMaturity: 6, batches: false, clock });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One SOLO block of `reward` found by `finder` in `pool`, credited and matured. */
async function soloBlock(pool: string, finder: string, reward: bigint): Promise<void> {
  const [shareId] = await store.insertShares([
    {
      pool,
      instanceId: 0,
      address: finder,
      worker: 'w',
      jobId: 'j',
      height: height + 1,
      difficulty: 1,
      networkDifficulty: 1,
      actualDifficulty: 1,
      hash: `s${height}`,
      isBlock: true,
      createdAt: clock.t,
    },
  ]);
  height += 1;
  const id = await store.insertBlock({
    pool,
    chain: 'gxc',
    height,
    hash: `h${height}`,
    prevHash: '00',
    headerHex: '00',
    submission: '{}',
    address: finder,
    worker: 'w',
    reward,
    networkDifficulty: 1,
    shareId: shareId ?? null,
    createdAt: clock.t,
  });
  await store.updateBlock(id, { status: 'pending' });
  chain.place(height, `h${height}`, 6);
  const solo = createPayoutScheme({ scheme: 'solo', feePercent: 0, feeAddress: null });
  await createBlockLifecycle({ store, chain, scheme: solo, pool, logger: silentLogger, now: clock.now }).run();
}

function processor(pool: string): PaymentProcessor {
  return createPaymentProcessor({ store, chain, pool, logger: silentLogger, now: clock.now, minPayout: 500n, graceMs: GRACE });
}

describe('reconciliation with several pools on one wallet', () => {
  it("does not take another pool's recorded send (same address and amount) as proof of payment", async () => {
    // The same miner finds one SOLO block on each pool: both owe it exactly the same amount.
    await soloBlock('general', 'A', 1000n);
    await soloBlock('asic', 'A', 1000n);

    // general's payout dies before its wallet call reaches the node.
    chain.wallet.mode = 'hang-before';
    void processor('general').run();
    await until(() => chain.wallet.calls.length === 1);
    await store.close();
    store = await openStore(dir, clock);
    chain.wallet.mode = 'ok';

    // asic pays its own 1000 to A and records the txid.
    const asic = await processor('asic').run();
    expect(asic.paid).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([1000n]);

    // After the grace period general must conclude its payment never left, and pay A again.
    clock.advance(GRACE + 1);
    const general = await processor('general').run({ force: true });
    expect(general.reconciled.sent).toEqual([]);
    expect(general.reconciled.failed).toHaveLength(1);
    expect(chain.wallet.paidTo('A')).toEqual([1000n, 1000n]);
    expect(await store.balanceOf('general', 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 0n });
    expect(await store.balanceOf('asic', 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 0n });
  });
});
