/** The devnet wallet over RPC: sends reach the mempool, the next template, a block, and gain confirmations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBitcoinDevnet, type BitcoinDevnet } from '../../../src/devnet/index.js';
import { parseTx } from '../../../src/chains/bitcoin/tx.js';
import { call, loadVectors, rpc, type Template } from './helpers.js';

const POOL = 'bcrt1qtdtnqzx3zau002qx2xvqlj4hz5snduvjjtle05';
const recorded = loadVectors<{ addresses: Array<{ address: string; validateaddress: unknown }>; invalid_addresses: Array<{ address: string }> }>(
  'bitcoin-regtest-templates.json',
);

let devnet: BitcoinDevnet;
let url: string;
beforeAll(async () => {
  devnet = await startBitcoinDevnet({ bits: '207fffff', walletAddresses: [POOL], autoTransactions: 2 });
  url = devnet.url;
});
afterAll(async () => {
  await devnet?.stop();
});

interface WalletTxView {
  amount: number;
  fee?: number;
  confirmations: number;
  blockhash?: string;
  details: Array<{ category: string; address?: string; amount: number; vout: number }>;
  hex: string;
  comment?: string;
}

describe('devnet wallet', () => {
  it('sendtoaddress → mempool → next template → mined → confirmations grow', async () => {
    const dest = await call<string>(url, 'getnewaddress', ['', 'legacy']);
    expect(dest).toMatch(/^[mn]/);
    const txid = await call<string>(url, 'sendtoaddress', [POOL, '1.23456789', 'payout round 7']);
    expect(await call<string[]>(url, 'getrawmempool')).toContain(txid);
    const t = await call<Template>(url, 'getblocktemplate', [{ rules: ['segwit'] }]);
    expect(t.transactions.map((x) => x.txid)).toContain(txid);

    let view = await call<WalletTxView>(url, 'gettransaction', [txid]);
    expect(view.confirmations).toBe(0);
    expect(view.comment).toBe('payout round 7');
    // Paying an address the wallet owns: Core's amount (credit - value out) is 0; the fee is separate.
    expect(view.amount).toBe(0);
    expect(view.fee!).toBeLessThan(0);
    const tx = parseTx(Buffer.from(view.hex, 'hex')).tx;
    expect(tx.outputs.some((o) => o.value === 123_456_789n)).toBe(true);

    const [block] = await call<string[]>(url, 'generatetoaddress', [1, dest]);
    view = await call<WalletTxView>(url, 'gettransaction', [txid]);
    expect(view.confirmations).toBe(1);
    expect(view.blockhash).toBe(block);
    expect(await call<string[]>(url, 'getrawmempool')).not.toContain(txid);
    await call(url, 'generatetoaddress', [1, dest]);
    expect((await call<WalletTxView>(url, 'gettransaction', [txid])).confirmations).toBe(2);
  });

  it('sendmany pays several addresses exactly (amounts as strings or numbers) and lists the sends', async () => {
    const a = await call<string>(url, 'getnewaddress', []);
    const external = 'mn3pdsVaAjNXyH5jKfuk7hPBdpy4NrZRgF';
    const taproot = 'bcrt1pf955fedvgvukf5rsty7g0vm20wpdmef7h2w3nv6efwmyq08vhz0qrjsr9k';
    const txid = await call<string>(url, 'sendmany', ['', { [external]: '0.1', [taproot]: 0.30000001, [a]: 2 }, 1, 'batch']);
    const view = await call<WalletTxView>(url, 'gettransaction', [txid]);
    const values = parseTx(Buffer.from(view.hex, 'hex')).tx.outputs.map((o) => o.value);
    expect(values).toEqual(expect.arrayContaining([10_000_000n, 30_000_001n, 200_000_000n]));
    const sends = view.details.filter((d) => d.category === 'send');
    expect(sends.map((d) => d.address).sort()).toEqual([a, external, taproot].sort());
    const list = await call<Array<{ category: string; txid: string; address: string; amount: number }>>(url, 'listtransactions', ['*', 50]);
    const mine = list.filter((e) => e.txid === txid && e.category === 'send');
    expect(mine.map((e) => e.amount).sort()).toEqual([-2, -0.30000001, -0.1].sort());
  });

  it('sendmany refuses a duplicated address (same key twice, or two spellings of one script)', async () => {
    const body = `{"jsonrpc":"1.0","id":1,"method":"sendmany","params":["", {"${POOL}": 1, "${POOL}": 2}]}`;
    const dup = await rpc(url, '', [], { rawBody: body });
    expect(dup.body.error).toEqual({ code: -8, message: `Invalid parameter, duplicated address: ${POOL}` });
    const upper = POOL.toUpperCase();
    const twoSpellings = await rpc(url, 'sendmany', ['', { [POOL]: 1, [upper]: 2 }]);
    expect(twoSpellings.body.error).toEqual({ code: -8, message: `Invalid parameter, duplicated address: ${upper}` });
  });

  it('amount and address errors are Core’s', async () => {
    expect((await rpc(url, 'sendtoaddress', [POOL, 0.000000001])).body.error).toEqual({ code: -3, message: 'Invalid amount' });
    expect((await rpc(url, 'sendtoaddress', [POOL, -1])).body.error).toEqual({ code: -3, message: 'Amount out of range' });
    expect((await rpc(url, 'sendtoaddress', [POOL, 0])).body.error).toEqual({ code: -3, message: 'Invalid amount for send' });
    expect((await rpc(url, 'sendtoaddress', [POOL, true])).body.error).toEqual({ code: -3, message: 'Amount is not a number or string' });
    expect((await rpc(url, 'sendtoaddress', [POOL, 20_000_000])).body.error).toEqual({ code: -6, message: 'Insufficient funds' });
    const bad = await rpc(url, 'sendtoaddress', ['bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 1]);
    expect(bad.body.error).toEqual({ code: -5, message: 'Invalid Bitcoin address: bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' });
    expect((await rpc(url, 'gettransaction', ['ab'.repeat(32)])).body.error).toEqual({ code: -5, message: 'Invalid or non-wallet transaction id' });
  });

  it('the pool address owns its coinbases: immature, then generate, then spendable; an orphaned one says orphan', async () => {
    const hashes = await call<string[]>(url, 'generatetoaddress', [1, POOL]);
    const cb = (await call<{ tx: string[] }>(url, 'getblock', [hashes[0]])).tx[0]!;
    const first = await call<WalletTxView>(url, 'gettransaction', [cb]);
    expect(first.details[0]).toMatchObject({ category: 'immature', address: POOL });
    expect(first.details[0]!.amount).toBeGreaterThanOrEqual(50); // subsidy + fees of the background transactions
    const balance = await call<number>(url, 'getbalance');
    await call(url, 'generatetoaddress', [99, await call<string>(url, 'getnewaddress', [])]);
    expect((await call<WalletTxView>(url, 'gettransaction', [cb])).details[0]!.category).toBe('immature'); // 100 deep
    await call(url, 'generatetoaddress', [1, await call<string>(url, 'getnewaddress', [])]);
    expect((await call<WalletTxView>(url, 'gettransaction', [cb])).details[0]!.category).toBe('generate'); // 101 deep
    expect(await call<number>(url, 'getbalance')).toBeGreaterThan(balance);

    const [orphan] = await call<string[]>(url, 'generatetoaddress', [1, POOL]);
    const orphanCb = (await call<{ tx: string[] }>(url, 'getblock', [orphan])).tx[0]!;
    await call(url, 'invalidateblock', [orphan]);
    const view = await call<WalletTxView>(url, 'gettransaction', [orphanCb]);
    expect(view.confirmations).toBe(-1);
    expect(view.details[0]!.category).toBe('orphan');
  });

  it('validateaddress matches the recorded Core answers for every address type', async () => {
    for (const a of recorded.addresses) expect(await call(url, 'validateaddress', [a.address])).toEqual(a.validateaddress);
    for (const a of recorded.invalid_addresses) {
      const v = await call<{ isvalid: boolean; error: string }>(url, 'validateaddress', [a.address]);
      expect(v.isvalid).toBe(false);
      expect(v.error.length).toBeGreaterThan(0);
    }
  });
});

describe('devnet persistence', () => {
  it('a restarted devnet with the same data dir has the same chain, mempool and wallet', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'devnet-btc-'));
    try {
      const first = await startBitcoinDevnet({ bits: '207fffff', dataDir: dir, autoTransactions: 1 });
      await first.generate(2);
      const txid = await call<string>(first.url, 'sendtoaddress', [POOL, 3]);
      const tip = first.chain.tip.hash;
      const balance = await call<number>(first.url, 'getbalance');
      await first.stop();

      const second = await startBitcoinDevnet({ bits: '207fffff', dataDir: dir, autoTransactions: 1 });
      try {
        expect(second.chain.tip.hash).toBe(tip);
        expect(await call<string[]>(second.url, 'getrawmempool')).toContain(txid);
        expect(await call<number>(second.url, 'getbalance')).toBe(balance);
        expect((await call<WalletTxView>(second.url, 'gettransaction', [txid])).confirmations).toBe(0);
      } finally {
        await second.stop();
      }
      await expect(startBitcoinDevnet({ bits: '1f00ffff', dataDir: dir })).rejects.toThrow(/bits/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
