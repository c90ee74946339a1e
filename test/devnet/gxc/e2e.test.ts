/**
 * End to end inside the test: the GXC adapter builds bridge work from the GXC devnet, the header is mined
 * in-process like a Stratum miner would, and the devnet — which re-verifies the header commitment — accepts it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createGxcAdapter } from '../../../src/chains/gxc/adapter.js';
import { GxcProofOfStakeTemplate } from '../../../src/chains/gxc/errors.js';
import { isGxcWork, type GxcWork } from '../../../src/chains/gxc/work.js';
import type { ChainAdapter, Sha256dWork } from '../../../src/chains/types.js';
import { serializeHeader, hashHeader } from '../../../src/core/header.js';
import { startGxcDevnet, type GxcDevnet, type GxcDevnetOptions } from '../../../src/devnet/gxc/index.js';
import { createRpcClient } from '../../../src/rpc/client.js';
import type { RpcClient } from '../../../src/rpc/types.js';
import { mineWork } from '../../chains/gxc/helpers/mine.js';

const POOL = 'tGXCe2e0pool0000000000000000000000001';
const open: Array<{ devnet: GxcDevnet; rpc: RpcClient }> = [];

async function setup(
  opts: GxcDevnetOptions = {},
  adapterOpts: { maxRequestBodyBytes?: number; logger?: pino.Logger } = {},
): Promise<{ devnet: GxcDevnet; rpc: RpcClient; adapter: ChainAdapter }> {
  const devnet = await startGxcDevnet({ difficulty: 2, walletAddresses: [POOL], mempoolTxs: 3, ...opts });
  const rpc = createRpcClient({ url: devnet.url, jsonrpc: '2.0', maxRequestBytes: 7900, retries: 0, timeoutMs: 10_000 });
  open.push({ devnet, rpc });
  return { devnet, rpc, adapter: createGxcAdapter({ rpc, poolAddress: POOL, poolTag: '/e2e/', ...adapterOpts }) };
}

afterEach(async () => {
  for (const { devnet, rpc } of open.splice(0)) {
    rpc.close();
    await devnet.stop();
  }
});

async function mineOne(adapter: ChainAdapter): Promise<{ work: Sha256dWork; hash: string }> {
  const work = await adapter.getWork(8);
  const solution = mineWork(work);
  const outcome = await adapter.submitBlock(work, solution);
  expect(outcome.reason).toBeNull();
  expect(outcome.accepted).toBe(true);
  return { work, hash: solution.hashDisplay };
}

describe('adapter + GXC devnet', () => {
  it('mines bridge work, the devnet accepts it and getblockcount advances', async () => {
    const { devnet, rpc, adapter } = await setup();
    expect(await rpc.call('getblockcount')).toBe(1);
    const { work, hash } = await mineOne(adapter);
    expect(work.height).toBe(1);
    expect(work.txCount).toBe(4); // coinbase + the devnet's three mempool transactions
    expect(await rpc.call('getblockcount')).toBe(2);
    expect(await adapter.getBestBlockHash()).toBe(hash);
    expect(await adapter.syncState()).toEqual({ tipHeight: 1, synced: true });
    const block = await rpc.call<{ hash: string; nTx: number; pool_header: string; miner: string; tx: Array<{ to: string; amount: number }> }>(
      'getblock',
      [1],
    );
    expect(block).toMatchObject({ hash, nTx: 4, miner: POOL });
    expect(block.tx[0]!.to).toBe(POOL);
    expect(block.tx[0]!.amount).toBeCloseTo(50.003, 8);
    expect(hashHeader(Buffer.from(block.pool_header, 'hex')).displayHex).toBe(hash);
    expect(devnet.chain.mempool.size).toBe(3); // refilled after the block
    const second = await mineOne(adapter);
    expect(second.work.height).toBe(2);
    expect(second.work.prevHashDisplay).toBe(hash);
    expect(await adapter.blockStatus(1, hash)).toEqual({ onMainChain: true, confirmations: 2 });
  });

  it('refuses tampered submissions: wrong hash, or a header that commits to another block', async () => {
    const { devnet, rpc, adapter } = await setup();
    const work = (await adapter.getWork(8)) as GxcWork;
    const solution = mineWork(work);
    const block = (over: Record<string, unknown>): Record<string, unknown> => ({
      height: work.height,
      hash: solution.hashDisplay,
      previousblockhash: work.prevHashDisplay,
      nonce: solution.nonce,
      miner: POOL,
      timestamp: solution.ntime,
      difficulty: 2,
      transactions: work.gxc.fields.transactions,
      consensus_type: 'pow',
      pool_header: solution.header.toString('hex'),
      pool_coinbase: Buffer.concat([work.coinb1, solution.extranonce1, solution.extranonce2, work.coinb2]).toString('hex'),
      pool_merkle_branch: [],
      ...over,
    });
    const refusal = async (over: Record<string, unknown>): Promise<string> => {
      const err = await rpc.call('submitblock', [block(over)]).then(
        () => null,
        (e: unknown) => e as { code: number; rpcMessage: string },
      );
      expect(err?.code).toBe(-32603);
      return err!.rpcMessage;
    };
    // A hash with enough zeros that is not the header's hash (the real node would take it).
    expect(await refusal({ hash: '00' + 'a'.repeat(62) })).toMatch(/Pool header verification failed: hash .* is not sha256d\(pool_header\)/);
    // The same header, but the block pays its coinbase to someone else.
    const [coinbase, ...rest] = work.gxc.fields.transactions;
    const stolen = { ...coinbase, outputs: [{ ...(coinbase!.outputs as object[])[0], address: 'tGXCthief00000000000000000000000000' }] };
    expect(await refusal({ transactions: [stolen, ...rest] })).toMatch(/commitment does not match/);
    // Dropping a committed transaction is caught too (here first by the reward check: its fee is gone).
    expect(await refusal({ transactions: work.gxc.fields.transactions.slice(0, 3) })).toMatch(/Coinbase reward exceeds maximum/);
    // A header mined for different work (another extranonce: its coinbase is not the one submitted).
    const other = mineWork(work, { extranonce2: Buffer.from('000000ff', 'hex') });
    expect(await refusal({ hash: other.hashDisplay, nonce: other.nonce, pool_header: other.header.toString('hex') })).toMatch(
      /merkle root does not commit to pool_coinbase/,
    );
    // A header whose nonce is not the block's.
    expect(await refusal({ nonce: solution.nonce + 1 })).toMatch(/header nonce/);
    expect(devnet.chain.count).toBe(1);
    // The honest block still goes in.
    expect((await adapter.submitBlock(work, solution)).accepted).toBe(true);
    expect(devnet.chain.count).toBe(2);
  });

  it('trims a template whose submitblock would exceed 8 KB, logs what was left out, and the block is accepted', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const { devnet, rpc, adapter } = await setup({ mempoolTxs: 0 }, { logger });
    devnet.chain.addSyntheticTransactions(30);
    const template = await rpc.call<{ transactions: unknown[] }>('getblocktemplate', [{ minerAddress: POOL }]);
    expect(template.transactions).toHaveLength(31);
    expect(Buffer.byteLength(JSON.stringify(template.transactions))).toBeGreaterThan(8192);
    const work = await adapter.getWork(8);
    expect(isGxcWork(work)).toBe(true);
    const gxcWork = work as GxcWork;
    expect(work.txCount).toBeGreaterThan(1);
    expect(work.txCount).toBeLessThan(31);
    expect(gxcWork.gxc.leftOut).toHaveLength(31 - work.txCount);
    // Fees of the left-out transactions are not claimed.
    const keptFees = BigInt(work.txCount - 1) * 100_000n;
    expect(work.reward).toBe(5_000_000_000n + keptFees);
    const trimmed = lines.find((l) => l.event === 'gxc_template_trimmed');
    expect(trimmed).toBeDefined();
    expect(trimmed!.leftOut).toEqual(gxcWork.gxc.leftOut.map((t) => t.txid));
    const solution = mineWork(work);
    const outcome = await adapter.submitBlock(work, solution);
    expect(outcome).toMatchObject({ accepted: true, reason: null });
    expect(devnet.chain.count).toBe(2);
    expect(devnet.chain.tip.txs).toHaveLength(work.txCount);
    // The left-out transactions are still waiting for the next block.
    for (const t of gxcWork.gxc.leftOut) expect(devnet.chain.mempool.has(t.txid)).toBe(true);
  });

  it('skips proof-of-stake heights and resumes at the next PoW template', async () => {
    const { devnet, adapter } = await setup({ posHeights: [2] });
    await mineOne(adapter);
    await expect(adapter.getWork(8)).rejects.toBeInstanceOf(GxcProofOfStakeTemplate);
    devnet.chain.generate(1); // a validator makes the PoS block
    expect(devnet.chain.tip.consensus).toBe('pos');
    const next = await mineOne(adapter);
    expect(next.work.height).toBe(3);
  });

  it('explains a stale block, and the node supply bug as the node’s fault', async () => {
    const { devnet, adapter } = await setup();
    const work = await adapter.getWork(8);
    const solution = mineWork(work);
    devnet.chain.generate(1);
    const stale = await adapter.submitBlock(work, solution);
    expect(stale.accepted).toBe(false);
    expect(stale.reason).toMatch(/^stale: .*Failed to submit block: Stale block/);

    devnet.chain.supplyBug = true;
    const fresh = await adapter.getWork(8);
    const bugged = await adapter.submitBlock(fresh, mineWork(fresh));
    expect(bugged.accepted).toBe(false);
    expect(bugged.reason).toMatch(/^node-bug-supply: .*node's fault.*Max allowed: 0\.000000 GXC/);
  });

  it('pays from the node wallet after coinbase maturity, tracks the payments, and sees orphans', async () => {
    const { devnet, rpc, adapter } = await setup({ difficulty: 1, mempoolTxs: 0 });
    const { hash } = await mineOne(adapter);
    expect(await adapter.wallet.balance()).toBe(0n); // immature
    devnet.chain.generate(4, 'tGXCother000000000000000000000000000');
    expect(await adapter.wallet.balance()).toBe(0n); // 5 confirmations
    devnet.chain.generate(1, 'tGXCother000000000000000000000000000');
    expect(await adapter.wallet.balance()).toBe(5_000_000_000n); // 6 confirmations: mature on testnet
    const a = 'tGXCminer0aaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const b = 'tGXCminer0bbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const txids = await adapter.wallet.send(
      [
        { address: a, amount: 1_000_000_000n },
        { address: b, amount: 1n },
      ],
      'payout 1',
    );
    expect(txids).toHaveLength(2);
    // Mempool payments are not in the node's gettransaction yet; the adapter remembers what it sent.
    expect(await adapter.wallet.transaction(txids[0]!)).toEqual({ txid: txids[0], confirmations: 0 });
    expect(await adapter.wallet.transaction('ab'.repeat(32))).toBeNull();
    await mineOne(adapter);
    expect(await adapter.wallet.transaction(txids[0]!)).toEqual({ txid: txids[0], confirmations: 1 });
    const sends = await adapter.wallet.recentSends(10);
    expect(sends.map((s) => [s.address, s.amount, s.txid]).sort()).toEqual(
      [
        [a, 1_000_000_000n, txids[0]],
        [b, 1n, txids[1]],
      ].sort(),
    );
    expect(await rpc.call('getbalance', [a])).toBe(10);
    // Orphan the first pool block: it leaves the main chain.
    await rpc.call('invalidateblock', [hash]);
    expect(await adapter.blockStatus(1, hash)).toEqual({ onMainChain: false, confirmations: 0 });
    expect(devnet.chain.count).toBe(1);
  });

  it('keeps the chain across restarts when given a data folder', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-devnet-'));
    try {
      const first = await setup({ dataDir: dir });
      const { hash } = await mineOne(first.adapter);
      const pending = [...first.devnet.chain.mempool.keys()];
      first.rpc.close();
      await first.devnet.stop();
      open.length = 0;
      const again = await setup({ dataDir: dir, walletAddresses: undefined });
      expect(again.devnet.chain.count).toBe(2);
      expect(again.devnet.chain.tip.hash).toBe(hash);
      expect([...again.devnet.chain.mempool.keys()]).toEqual(pending);
      expect(again.devnet.chain.walletAddresses).toEqual([POOL]);
      await mineOne(again.adapter);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mines with a rolled version and a later ntime, as ASICs do', async () => {
    const { adapter } = await setup();
    const work = await adapter.getWork(8);
    const base = mineWork(work);
    const version = (work.version | 0x00a00000) >>> 0;
    const ntime = work.curtime + 30;
    let found = null;
    for (let nonce = 0; nonce < 2_000_000 && !found; nonce++) {
      const header = serializeHeader({
        version,
        prevHash: work.prevHashInternal,
        merkleRoot: base.header.subarray(36, 68),
        time: ntime,
        bits: work.bits,
        nonce,
      });
      const h = hashHeader(header);
      if (h.value <= work.networkTarget) found = { ...base, version, ntime, nonce, header, hashDisplay: h.displayHex };
    }
    expect(found).not.toBeNull();
    expect((await adapter.submitBlock(work, found!)).accepted).toBe(true);
  });
});
