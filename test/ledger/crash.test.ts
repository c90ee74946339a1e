/**
 * The pool process is SIGKILLed in the middle of a payout (before the wallet processed the call, and after the
 * wallet sent but before the txid was recorded); a new process on the same database then settles everything:
 * every owed amount is paid exactly once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPaymentProcessor } from '../../src/ledger/payments.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { addPendingBlock, addShares, Clock, FakeChain, openStore, POOL, tempDir } from './helpers.js';
import { httpWallet, WalletServer, type KillPoint } from './fixtures/http-wallet.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const GRACE = 600_000;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function scenario(batches: boolean, killPoint: KillPoint): Promise<WalletServer> {
  const dir = tempDir();
  const clock = new Clock(Date.now());
  const server = new WalletServer(batches);
  const port = await server.listen();
  cleanups.push(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Balances: A 1000, B 3000, confirmed.
  let store = await openStore(dir, clock);
  const chain = new FakeChain({ coinbaseMaturity: 1, batches, clock });
  const ids = await addShares(store, clock, [
    ['A', 1],
    ['B', 3],
  ]);
  await addPendingBlock(store, clock, { height: 5, hash: 'h5', finder: 'B', shareId: ids[1]!, reward: 4000n, networkDifficulty: 1 });
  chain.place(5, 'h5', 1);
  await createBlockLifecycle({
    store,
    chain,
    pool: POOL,
    logger: silentLogger,
    now: clock.now,
    scheme: createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null }),
  }).run();
  await store.close();

  // The pool process, killed by the wallet at `killPoint`.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'fixtures/pay-child.ts'), path.join(dir, 'pool.db'), String(port), batches ? '1' : '0'],
    {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  server.killPoint = killPoint;
  server.onKill = () => child.kill('SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  clearTimeout(timer);
  expect(signal, stderr).toBe('SIGKILL');
  server.killPoint = 'none';

  // A new process on the same database, after the grace period.
  clock.t = Date.now() + GRACE + 1;
  store = await openStore(dir, clock);
  cleanups.push(() => store.close());
  const payments = createPaymentProcessor({
    store,
    pool: POOL,
    logger: silentLogger,
    now: clock.now,
    minPayout: 500n,
    graceMs: GRACE,
    chain: { wallet: httpWallet(port, batches), validateAddress: () => null },
  });
  await payments.run({ force: true });
  clock.advance(GRACE + 1);
  await payments.run({ force: true }); // settles anything the first run left, and must not pay again
  const owed = await store.balances(POOL);
  expect(owed.every((b) => b.confirmed === 0n)).toBe(true);
  expect(await store.paymentsByStatus(POOL, ['pending'])).toEqual([]);
  return server;
}

describe('SIGKILL during a payout', () => {
  it('before the wallet processed a sendmany: paid once by the next process', async () => {
    const wallet = await scenario(true, 'before-node');
    expect(wallet.paidTo('A')).toEqual([1000n]);
    expect(wallet.paidTo('B')).toEqual([3000n]);
  }, 30_000);

  it('after the wallet sent, before the txid was recorded (GXC, one send per payee): never paid twice', async () => {
    const wallet = await scenario(false, 'after-node');
    expect(wallet.paidTo('A')).toEqual([1000n]);
    expect(wallet.paidTo('B')).toEqual([3000n]);
    expect(wallet.history.map((s) => s.txid)).toEqual(['tx1', 'tx2']);
  }, 30_000);
});
