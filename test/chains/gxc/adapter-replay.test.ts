/**
 * Replay: the GXC adapter against a fake node that answers exactly as the recorded GXC node did
 * (../shared/testdata/gxc-node-transcript.json), checking what the adapter sends and how it reads the answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGxcAdapter } from '../../../src/chains/gxc/adapter.js';
import { GxcProofOfStakeTemplate } from '../../../src/chains/gxc/errors.js';
import { isGxcWork } from '../../../src/chains/gxc/work.js';
import type { ChainAdapter } from '../../../src/chains/types.js';
import type { NJson } from '../../../src/devnet/gxc/nlohmann-json.js';
import { createRpcClient } from '../../../src/rpc/client.js';
import { RpcError, type RpcClient } from '../../../src/rpc/types.js';
import { mineWork } from './helpers/mine.js';
import { ReplayNode } from './helpers/replay-server.js';
import { exchange, exchangeIndex, POOL_ADDRESS, RECORDED_TIME } from './helpers/transcript.js';

const ix = exchangeIndex;
const notFound = (method: string): NJson => ({ error: { code: -32601, message: `Method not found: ${method}` }, id: 1, jsonrpc: '2.0' });

let node: ReplayNode;
let rpc: RpcClient;
let adapter: ChainAdapter;

beforeEach(async () => {
  node = await new ReplayNode().start();
  rpc = createRpcClient({ url: node.url, jsonrpc: '2.0', maxRequestBytes: 7900, retries: 0, timeoutMs: 5000 });
  adapter = createGxcAdapter({ rpc, poolAddress: POOL_ADDRESS, network: 'testnet', poolTag: '/replay/' });
});

afterEach(async () => {
  // Every request is JSON-RPC 2.0 and small enough for the node's single 8 KB read.
  for (const r of node.requests) {
    expect(r.json.jsonrpc).toBe('2.0');
    expect(r.bytes).toBeLessThan(8192 - 300);
  }
  expect(node.problems).toEqual([]);
  expect(node.pending).toBe(0);
  rpc.close();
  await node.stop();
});

describe('GXC adapter against the recorded node', () => {
  it('is the GXC kind with testnet maturity', () => {
    expect(adapter.kind).toBe('gxc');
    expect(adapter.coinSymbol).toBe('GXC');
    expect(adapter.coinbaseMaturity).toBe(6);
    expect(createGxcAdapter({ rpc, poolAddress: 'GXC' + 'a'.repeat(30) }).coinbaseMaturity).toBe(100);
    expect(() => createGxcAdapter({ rpc, poolAddress: 'x' })).toThrow(/not usable/);
    expect(adapter.validateAddress('GXC' + 'a'.repeat(30))).toMatch(/mainnet/);
  });

  it('reads getblockcount as tip height + 1', async () => {
    node
      .answer('getblockcount', ix('count before mining: genesis only -> 1 (tip height + 1)'))
      .answerWith('getblockchaininfo', notFound('getblockchaininfo'));
    expect(await adapter.syncState()).toEqual({ tipHeight: 0, synced: true });
    node.answer('getblockcount', ix('count after one block -> 2')).answerWith('getblockchaininfo', notFound('getblockchaininfo'));
    expect(await adapter.syncState()).toEqual({ tipHeight: 1, synced: true });
  });

  it('asks for a template for the pool address and builds bridge work from it', async () => {
    node.answer('getblocktemplate', ix('template for the pool address'));
    const work = await adapter.getWork(8);
    expect(node.requests[0]!.json.params).toEqual([{ minerAddress: POOL_ADDRESS }]);
    expect(work.height).toBe(1);
    expect(work.prevHashDisplay).toBe('70bd27081ad34aece8034e2c5ad62e033dc318a97cd6af2c3bb509b59a9707e2');
    expect(work.networkTarget).toBe((1n << 252n) - 1n);
    expect(work.reward).toBe(5_000_000_000n);
    expect(isGxcWork(work)).toBe(true);
  });

  it('falls back to gxc_getBlockTemplate and keeps using it', async () => {
    node.answerWith('getblocktemplate', notFound('getblocktemplate')).answer('gxc_getBlockTemplate', ix('template via the gxc_ alias'));
    const work = await adapter.getWork(8);
    expect(work.height).toBe(2);
    expect(work.prevHashDisplay).toBe('0d55351e4610cbadce5e30ae7166bae759ab747cdeab130d3a3fc801006e32e7');
    node.answer('gxc_getBlockTemplate', ix('template via the gxc_ alias'));
    await adapter.getWork(8);
    expect(node.requests.map((r) => r.json.method)).toEqual(['getblocktemplate', 'gxc_getBlockTemplate', 'gxc_getBlockTemplate']);
  });

  it('submits the block as a JSON object and reads every recorded answer', async () => {
    node.answer('getblocktemplate', ix('template for the pool address'));
    const work = await adapter.getWork(8);
    const solution = mineWork(work);
    const answers: Array<[string, RegExp | null]> = [
      ['hash without enough leading zeros -> rejected', /^high-hash: .*Hash has 0 leading zeros, requires 1/],
      ['difficulty field not equal to network difficulty -> rejected', /^difficulty-mismatch: .*Network requires 1\.000000/],
      ['timestamp too far in the future -> rejected', /^bad-timestamp: /],
      ['wrong previousblockhash -> rejected', /^validation-failed: /],
      ['same block again -> rejected (stale)', /^stale: /],
      ['valid block (node-style hash) -> null = accepted', null],
    ];
    for (const [note, reason] of answers) {
      node.answer('submitblock', ix(note));
      const outcome = await adapter.submitBlock(work, solution);
      expect(outcome.blockHash).toBe(solution.hashDisplay);
      if (reason) {
        expect(outcome.accepted).toBe(false);
        expect(outcome.reason).toMatch(reason);
        expect(outcome.raw).toEqual({ code: -32603, message: exchange(note).response.error!.message });
      } else {
        expect(outcome).toMatchObject({ accepted: true, reason: null });
      }
    }
    const sent = node.requests.slice(1);
    for (const r of sent) {
      expect(r.json.method).toBe('submitblock');
      const block = (r.json.params as Array<Record<string, unknown>>)[0]!;
      expect(Object.keys(block).slice(0, 9)).toEqual([
        'height',
        'hash',
        'previousblockhash',
        'nonce',
        'miner',
        'timestamp',
        'difficulty',
        'transactions',
        'consensus_type',
      ]);
      expect(block).toMatchObject({
        height: 1,
        hash: solution.hashDisplay,
        previousblockhash: work.prevHashDisplay,
        nonce: solution.nonce,
        miner: POOL_ADDRESS,
        timestamp: RECORDED_TIME,
        difficulty: 1,
        consensus_type: 'pow',
        pool_header: solution.header.toString('hex'),
        pool_merkle_branch: [],
      });
      // The template's transactions go back verbatim, coinbase first with outputs[0] to the pool.
      expect(block.transactions).toEqual((exchange('template for the pool address').response.result as { transactions: unknown }).transactions);
      expect(r.raw).toContain(`"nonce":${solution.nonce},`);
    }
  });

  it('writes a nonce as exact digits, never through a lossy number', async () => {
    node.answer('getblocktemplate', ix('template for the pool address'));
    const work = await adapter.getWork(8);
    const solution = mineWork(work);
    node.answer('submitblock', ix('valid block (node-style hash) -> null = accepted'));
    await adapter.submitBlock(work, solution);
    const raw = node.requests[1]!.raw;
    expect(/"nonce":(\d+),/.exec(raw)![1]).toBe(String(solution.nonce));
  });

  it('refuses to send a block whose proof does not hold', async () => {
    node.answer('getblocktemplate', ix('template for the pool address'));
    const work = await adapter.getWork(8);
    const solution = mineWork(work);
    const forged = { ...solution, hashDisplay: '0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
    const outcome = await adapter.submitBlock(work, forged);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).toMatch(/^pool-bug: /);
    expect(node.requests).toHaveLength(1);
  });

  it('skips a proof-of-stake template and never mines it', async () => {
    const pos = structuredClone(exchange('template for the pool address').response) as unknown as { result: Record<string, NJson> };
    pos.result.consensus_type = 'pos';
    pos.result.block_type = 'pos';
    node.answerWith('getblocktemplate', pos as unknown as NJson);
    await expect(adapter.getWork(8)).rejects.toBeInstanceOf(GxcProofOfStakeTemplate);
  });

  it('refuses a template whose coinbase pays another address', async () => {
    node.answer('getblocktemplate', ix('template for the pool address'));
    const other = createGxcAdapter({ rpc, poolAddress: 'tGXC' + 'c'.repeat(30) });
    await expect(other.getWork(8)).rejects.toThrow(/pays tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf, not the pool address/);
  });

  it('checks a found block by height with getblock', async () => {
    node.answer('getblock', ix('block 1 as stored'));
    expect(await adapter.blockStatus(1, '0d55351e4610cbadce5e30ae7166bae759ab747cdeab130d3a3fc801006e32e7')).toEqual({
      onMainChain: true,
      confirmations: 1,
    });
    node.answer('getblock', ix('block 1 as stored'));
    expect(await adapter.blockStatus(1, 'ff'.repeat(32))).toEqual({ onMainChain: false, confirmations: 0 });
    node.answerWith('getblock', { error: { code: -8, message: 'Block not found' }, id: 1, jsonrpc: '2.0' });
    expect(await adapter.blockStatus(9, 'ff'.repeat(32))).toEqual({ onMainChain: false, confirmations: 0 });
    expect(node.requests.map((r) => r.json.params)).toEqual([[1], [1], [9]]);
  });

  it('finds the tip hash with getblockcount + getblockhash when getbestblockhash is missing', async () => {
    node
      .answerWith('getbestblockhash', notFound('getbestblockhash'))
      .answer('getblockcount', ix('count after one block -> 2'))
      .answerWith('getblockhash', { id: 1, jsonrpc: '2.0', result: '0d55351e4610cbadce5e30ae7166bae759ab747cdeab130d3a3fc801006e32e7' });
    expect(await adapter.getBestBlockHash()).toBe('0d55351e4610cbadce5e30ae7166bae759ab747cdeab130d3a3fc801006e32e7');
    expect(node.requests[2]!.json.params).toEqual([1]);
  });

  it('uses the node wallet: getbalance of the pool address, one sendtoaddress per payment', async () => {
    node.answer('getbalance', ix('balance of the pool address'));
    expect(await adapter.wallet.balance()).toBe(0n);
    expect(node.requests[0]!.json.params).toEqual([POOL_ADDRESS]);
    expect(adapter.wallet.batchesPayments).toBe(false);

    node.answer('sendtoaddress', ix('payment from the node wallet (immature coinbase may fail)'));
    const err = await adapter.wallet
      .send([{ address: 'tGXC0000000000000000000000000000000001', amount: 150_000_000n }], 'payout')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(-6);
    expect((err as RpcError).rpcMessage).toMatch(/^Insufficient funds/);
    // Amount as an exact decimal string; paid from the pool address.
    expect(node.requests[1]!.json.params).toEqual(['tGXC0000000000000000000000000000000001', '1.5', POOL_ADDRESS]);

    await expect(adapter.wallet.send([{ address: 'bc1qnotgxc000000000000000000000', amount: 1n }], 'x')).rejects.toThrow(/before sending anything/);

    node.answerWith('gettransaction', { error: { code: -8, message: 'Transaction not found' }, id: 1, jsonrpc: '2.0' });
    expect(await adapter.wallet.transaction('ab'.repeat(32))).toBeNull();
    node.answerWith('listtransactions', notFound('listtransactions'));
    // No wallet history: reconciliation must not read that as "nothing was sent".
    await expect(adapter.wallet.recentSends(10)).rejects.toThrow(/no listtransactions/);
  });

  it('reports a node that is down as no verdict, without throwing', async () => {
    node.answer('getblocktemplate', ix('template for the pool address'));
    const work = await adapter.getWork(8);
    const solution = mineWork(work);
    const dead = createGxcAdapter({
      rpc: createRpcClient({ url: 'http://127.0.0.1:1', jsonrpc: '2.0', retries: 0, timeoutMs: 2000 }),
      poolAddress: POOL_ADDRESS,
    });
    const outcome = await dead.submitBlock(work, solution);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).toMatch(/^no-verdict: /);
  });
});
