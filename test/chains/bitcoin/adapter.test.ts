import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient, type HttpRpcClient } from '../../../src/rpc/client.js';
import { createBitcoinAdapter } from '../../../src/chains/bitcoin/adapter.js';
import { AddressError } from '../../../src/chains/bitcoin/address.js';
import type { ChainAdapter, Sha256dWork } from '../../../src/chains/types.js';
import type { BitcoinWork } from '../../../src/chains/bitcoin/work.js';
import { RECORDED_TAG, rejects, solutionFor } from './fixtures.js';
import { ok, rpcError, startReplayNode, type ReplayNode, type Reply } from './replay-node.js';

const T2 = rejects.template_T2.result;
const accepted = rejects.accepted_block;
const stale = rejects.stale_sibling;
const recorded = (answer: { http_status: number; response: unknown }): Reply => answer;
const byName = (name: string) => rejects.rejects.find((r) => r.name === name)!;
const resubmit = (name: string) => rejects.resubmits.find((r) => r.name === name)!;

let node: ReplayNode;
let rpc: HttpRpcClient;
let adapter: ChainAdapter;

beforeAll(async () => {
  node = await startReplayNode({ getblocktemplate: () => ok(T2) });
  rpc = createRpcClient({ url: node.url, retries: 0, timeoutMs: 5_000 });
  adapter = createBitcoinAdapter({ rpc, network: 'regtest', poolAddress: rejects.pool_payout.address, poolTag: RECORDED_TAG });
});
afterAll(async () => {
  rpc.close();
  await node.close();
});
afterEach(() => {
  node.calls.length = 0;
});

async function recordedWorkAndSolution(extranonceHex: string, nonce: number) {
  const work = (await adapter.getWork(8)) as BitcoinWork;
  return { work, solution: solutionFor(work, Buffer.from(extranonceHex, 'hex'), nonce) };
}

describe('creation', () => {
  it('identifies itself as bitcoin with maturity 100', () => {
    expect(adapter.kind).toBe('bitcoin');
    expect(adapter.coinbaseMaturity).toBe(100);
    expect(adapter.coinSymbol).toBe('BTC');
    expect(adapter.wallet.batchesPayments).toBe(true);
  });
  it('refuses a pool address of another network', () => {
    expect(() => createBitcoinAdapter({ rpc, network: 'regtest', poolAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' })).toThrow(AddressError);
    expect(() => createBitcoinAdapter({ rpc, network: 'mainnet', poolAddress: rejects.pool_payout.address })).toThrow(
      /not a valid mainnet address: segwit address is for regtest/,
    );
  });
  it('validates miner addresses for its network', () => {
    expect(adapter.validateAddress(rejects.pool_payout.address)).toBeNull();
    expect(adapter.validateAddress('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toMatch(/mainnet P2PKH address, not regtest/);
  });
});

describe('getWork', () => {
  it('asks for a segwit template and builds the recorded coinbase split', async () => {
    const work = await adapter.getWork(8);
    expect(node.calls).toEqual([{ method: 'getblocktemplate', params: [{ rules: ['segwit'] }] }]);
    expect(work.height).toBe(103);
    expect(work.coinb1.toString('hex')).toBe(accepted.coinbase.coinb1);
    expect(work.coinb2.toString('hex')).toBe(accepted.coinbase.coinb2);
    expect(work.merkleBranch.map((b) => b.toString('hex'))).toEqual(accepted.merkle_branch_internal_hex);
    expect(work.reward).toBe(5_000_006_110n);
  });

  it('passes node errors through and refuses malformed templates', async () => {
    node.handlers.set('getblocktemplate', () => rpcError(-8, 'getblocktemplate must be called with the segwit rule set'));
    await expect(adapter.getWork(8)).rejects.toThrow(/node error -8/);
    node.handlers.set('getblocktemplate', () => ok({ ...T2, bits: 'nothex!!' }));
    await expect(adapter.getWork(8)).rejects.toThrow(/invalid getblocktemplate result: bits/);
    node.handlers.set('getblocktemplate', () => ok(T2));
  });
});

describe('submitBlock answers', () => {
  const cases: Array<[string, Reply, boolean, string | null]> = [
    ['accepted (null)', recorded(accepted.answers.submitblock!), true, null],
    ['duplicate', recorded(accepted.answers.submitblock_again!), false, 'duplicate'],
    ['inconclusive (stale sibling)', recorded(stale.answers.submitblock!), false, 'inconclusive'],
    ['duplicate-invalid', recorded(resubmit('resubmit-invalid').submitblock), false, 'duplicate-invalid'],
    ['high-hash', recorded(resubmit('resubmit-high-hash').submitblock), false, 'high-hash'],
    ['bad-cb-height', recorded(byName('bip34-height-minus-one').submitblock), false, 'bad-cb-height'],
  ];
  for (const [what, reply, isAccepted, reason] of cases) {
    it(`${what} -> accepted=${isAccepted}, reason=${reason}`, async () => {
      node.handlers.set('submitblock', () => reply);
      const { work, solution } = await recordedWorkAndSolution(accepted.coinbase.extranonce, accepted.nonce);
      const outcome = await adapter.submitBlock(work, solution);
      expect(outcome).toMatchObject({ accepted: isAccepted, reason, blockHash: accepted.block_hash });
      // The node holding the block without it being the tip is no verdict: the chain decides later.
      expect(outcome.uncertain === true).toBe(reason === 'duplicate' || reason === 'inconclusive');
      const submit = node.calls.find((c) => c.method === 'submitblock');
      expect(submit?.params).toEqual([accepted.block_hex]);
    });
  }

  it('RPC error -22 (HTTP 500) is a refusal with the node message, not a throw', async () => {
    node.handlers.set('submitblock', () => recorded(byName('not-hex').submitblock));
    const { work, solution } = await recordedWorkAndSolution(accepted.coinbase.extranonce, accepted.nonce);
    const outcome = await adapter.submitBlock(work, solution);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).toMatch(/node error -22: Block decode failed/);
    expect(outcome.raw).toEqual({ code: -22, message: 'Block decode failed' });
  });

  it('a dropped connection is a refusal with the transport message', async () => {
    node.handlers.set('submitblock', () => 'hang-up');
    const { work, solution } = await recordedWorkAndSolution(accepted.coinbase.extranonce, accepted.nonce);
    const outcome = await adapter.submitBlock(work, solution);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).toMatch(/^submitblock: /);
  });

  it('an unexpected answer shape is not a found block', async () => {
    node.handlers.set('submitblock', () => ok({ weird: true }));
    const { work, solution } = await recordedWorkAndSolution(accepted.coinbase.extranonce, accepted.nonce);
    expect(await adapter.submitBlock(work, solution)).toMatchObject({
      accepted: false,
      reason: expect.stringMatching(/unexpected submitblock answer/),
    });
  });

  it('a header above the network target is never sent', async () => {
    node.handlers.set('submitblock', () => ok(null));
    const { work } = await recordedWorkAndSolution(accepted.coinbase.extranonce, accepted.nonce);
    // Nonces 0 and 1 give hashes above the regtest target for this coinbase (the recorder ground up to 2).
    const solution = solutionFor(work, Buffer.from(accepted.coinbase.extranonce, 'hex'), 0);
    const outcome = await adapter.submitBlock(work, solution);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).toMatch(/^high-hash: block hash/);
    expect(node.calls.some((c) => c.method === 'submitblock')).toBe(false);
  });

  it('refuses work it did not build', async () => {
    const { work, solution } = await recordedWorkAndSolution(accepted.coinbase.extranonce, accepted.nonce);
    const foreign: Sha256dWork = { ...work };
    expect(await adapter.submitBlock(foreign, solution)).toMatchObject({
      accepted: false,
      reason: expect.stringMatching(/not built by the bitcoin adapter/),
    });
  });
});

describe('GXC method names through callFirst', () => {
  it('falls back to gxc_getBlockTemplate / gxc_submitBlock when the Bitcoin names are unknown', async () => {
    const gxc = await startReplayNode({ gxc_getBlockTemplate: () => ok(T2), gxc_submitBlock: () => ok(null) });
    const client = createRpcClient({ url: gxc.url, retries: 0, timeoutMs: 5_000 });
    try {
      const a = createBitcoinAdapter({ rpc: client, network: 'regtest', poolAddress: rejects.pool_payout.address, poolTag: RECORDED_TAG });
      const work = (await a.getWork(8)) as BitcoinWork;
      const outcome = await a.submitBlock(work, solutionFor(work, Buffer.from(accepted.coinbase.extranonce, 'hex'), accepted.nonce));
      expect(outcome).toMatchObject({ accepted: true, reason: null, blockHash: accepted.block_hash });
      expect(gxc.calls.map((c) => c.method)).toEqual(['getblocktemplate', 'gxc_getBlockTemplate', 'submitblock', 'gxc_submitBlock']);
      expect(gxc.calls[3]!.params).toEqual([accepted.block_hex]);
    } finally {
      client.close();
      await gxc.close();
    }
  });
});

describe('chain state', () => {
  it('getBestBlockHash', async () => {
    node.handlers.set('getbestblockhash', () => ok(accepted.block_hash));
    expect(await adapter.getBestBlockHash()).toBe(accepted.block_hash);
    node.handlers.set('getbestblockhash', () => ok(42));
    await expect(adapter.getBestBlockHash()).rejects.toThrow(/expected a block hash/);
  });

  it('blockStatus: on the main chain, replaced, above the tip', async () => {
    node.handlers.set('getblockhash', (p) => (p[0] === 103 ? ok(accepted.block_hash) : rpcError(-8, 'Block height out of range')));
    node.handlers.set('getblockheader', (p) =>
      p[0] === accepted.block_hash ? ok({ hash: accepted.block_hash, confirmations: 3, height: 103 }) : rpcError(-5, 'Block not found'),
    );
    expect(await adapter.blockStatus(103, accepted.block_hash)).toEqual({ onMainChain: true, confirmations: 3 });
    expect(await adapter.blockStatus(103, stale.block_hash)).toEqual({ onMainChain: false, confirmations: 0 });
    expect(await adapter.blockStatus(500, accepted.block_hash)).toEqual({ onMainChain: false, confirmations: 0 });
    expect(node.calls.filter((c) => c.method === 'getblockheader')).toHaveLength(1);
  });

  it('syncState from getblockchaininfo', async () => {
    node.handlers.set('getblockchaininfo', () => ok({ chain: 'regtest', blocks: 104, headers: 104, initialblockdownload: false }));
    expect(await adapter.syncState()).toEqual({ tipHeight: 104, synced: true });
    node.handlers.set('getblockchaininfo', () => ok({ chain: 'regtest', blocks: 90, headers: 104, initialblockdownload: false }));
    expect(await adapter.syncState()).toEqual({ tipHeight: 90, synced: false });
    node.handlers.set('getblockchaininfo', () => ok({ chain: 'regtest', blocks: 104, headers: 104, initialblockdownload: true }));
    expect(await adapter.syncState()).toEqual({ tipHeight: 104, synced: false });
  });
});

describe('waitForTemplateChange', () => {
  it('long-polls with the template longpollid and resolves when the node answers', async () => {
    let release: (() => void) | undefined;
    node.handlers.set('getblocktemplate', (p) => {
      const req = p[0] as { longpollid?: string };
      if (!req.longpollid) return ok(T2);
      return new Promise<Reply>((resolve) => {
        release = () => resolve(ok(rejects.template_T3.result));
      });
    });
    const work = await adapter.getWork(8);
    let resolved = false;
    const waiting = adapter.waitForTemplateChange!(work, new AbortController().signal).then(() => {
      resolved = true;
    });
    for (let i = 0; i < 100 && release === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(node.calls.at(-1)).toEqual({ method: 'getblocktemplate', params: [{ rules: ['segwit'], longpollid: T2.longpollid }] });
    await new Promise((r) => setTimeout(r, 30));
    expect(resolved).toBe(false);
    release!();
    await waiting;
    expect(resolved).toBe(true);
    node.handlers.set('getblocktemplate', () => ok(T2));
  });

  it('rejects when aborted while the node holds the request', async () => {
    node.handlers.set('getblocktemplate', (p) =>
      (p[0] as { longpollid?: string }).longpollid ? new Promise<Reply>((resolve) => setTimeout(() => resolve(ok(T2)), 300)) : ok(T2),
    );
    const work = await adapter.getWork(8);
    const controller = new AbortController();
    const waiting = adapter.waitForTemplateChange!(work, controller.signal);
    setTimeout(() => controller.abort(new Error('shutting down')), 20);
    await expect(waiting).rejects.toThrow(/shutting down/);
    node.handlers.set('getblocktemplate', () => ok(T2));
  });

  it('without a longpollid, polls the tip until it moves', async () => {
    const noLongPoll = { ...T2 } as Record<string, unknown>;
    delete noLongPoll.longpollid;
    node.handlers.set('getblocktemplate', () => ok(noLongPoll));
    let polls = 0;
    node.handlers.set('getbestblockhash', () => ok(++polls < 3 ? T2.previousblockhash : accepted.block_hash));
    const fast = createBitcoinAdapter({ rpc, network: 'regtest', poolAddress: rejects.pool_payout.address, longPollRetryDelayMs: 10 });
    const work = await fast.getWork(8);
    await fast.waitForTemplateChange!(work, new AbortController().signal);
    expect(polls).toBe(3);
    node.handlers.set('getblocktemplate', () => ok(T2));
  });
});

describe('wallet', () => {
  it('balance in exact satoshi', async () => {
    node.handlers.set('getbalance', () => ok(50.0002044));
    expect(await adapter.wallet.balance()).toBe(5_000_020_440n);
  });

  it('sendmany merges amounts per address and sends exact 8-decimal strings', async () => {
    node.handlers.set('sendmany', () => ok('ab'.repeat(32)));
    const a = rejects.pool_payout.address;
    const b = 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce';
    const txids = await adapter.wallet.send(
      [
        { address: a, amount: 10_000_001n },
        { address: b, amount: 1n },
        { address: a, amount: 20_000_000n },
      ],
      'payout round 7',
    );
    expect(txids).toEqual(['ab'.repeat(32), 'ab'.repeat(32), 'ab'.repeat(32)]);
    const call = node.calls.find((c) => c.method === 'sendmany')!;
    expect(call.params).toEqual(['', { [a]: '0.30000001', [b]: '0.00000001' }, 1, 'payout round 7']);
  });

  it('send refuses bad payments before calling the node', async () => {
    await expect(adapter.wallet.send([], 'x')).rejects.toThrow(/no payments/);
    await expect(adapter.wallet.send([{ address: rejects.pool_payout.address, amount: 0n }], 'x')).rejects.toThrow(/must be positive/);
    await expect(adapter.wallet.send([{ address: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', amount: 5n }], 'x')).rejects.toThrow(AddressError);
    expect(node.calls.some((c) => c.method === 'sendmany')).toBe(false);
  });

  it('transaction: confirmations, conflicts, unknown txids', async () => {
    node.handlers.set('gettransaction', (p) => {
      if (p[0] === 'aa'.repeat(32)) return ok({ txid: p[0], confirmations: 4, details: [] });
      if (p[0] === 'bb'.repeat(32)) return ok({ txid: p[0], confirmations: -2, details: [] });
      if (p[0] === 'cc'.repeat(32)) return ok({ txid: p[0], confirmations: 0, details: [{ category: 'send', abandoned: true }] });
      return rpcError(-5, 'Invalid or non-wallet transaction id');
    });
    expect(await adapter.wallet.transaction('aa'.repeat(32))).toEqual({ txid: 'aa'.repeat(32), confirmations: 4 });
    expect(await adapter.wallet.transaction('bb'.repeat(32))).toEqual({ txid: 'bb'.repeat(32), confirmations: -1 });
    expect(await adapter.wallet.transaction('cc'.repeat(32))).toEqual({ txid: 'cc'.repeat(32), confirmations: -1 });
    expect(await adapter.wallet.transaction('dd'.repeat(32))).toBeNull();
  });

  it('recentSends: send entries only, newest first, positive satoshi', async () => {
    node.handlers.set('listtransactions', () =>
      ok([
        { address: 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce', category: 'receive', amount: 1.0, txid: '11'.repeat(32), time: 100 },
        { address: rejects.pool_payout.address, category: 'send', amount: -0.30000001, fee: -0.0000141, txid: '22'.repeat(32), time: 200 },
        { address: 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce', category: 'send', amount: -1e-8, txid: '22'.repeat(32), time: 200 },
        { address: rejects.pool_payout.address, category: 'send', amount: -2.5, txid: '33'.repeat(32), time: 300 },
      ]),
    );
    const sends = await adapter.wallet.recentSends(10);
    expect(node.calls.find((c) => c.method === 'listtransactions')!.params).toEqual(['*', 10]);
    expect(sends).toEqual([
      { address: rejects.pool_payout.address, amount: 250_000_000n, txid: '33'.repeat(32), time: 300 },
      { address: 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce', amount: 1n, txid: '22'.repeat(32), time: 200 },
      { address: rejects.pool_payout.address, amount: 30_000_001n, txid: '22'.repeat(32), time: 200 },
    ]);
  });
});
