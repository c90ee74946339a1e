import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectChainFlavor } from '../../../src/chains/gxc/detect.js';
import type { NJson } from '../../../src/devnet/gxc/nlohmann-json.js';
import { createRpcClient } from '../../../src/rpc/client.js';
import type { RpcClient } from '../../../src/rpc/types.js';
import { ReplayNode } from './helpers/replay-server.js';
import { exchangeIndex } from './helpers/transcript.js';

const bitcoin = JSON.parse(fs.readFileSync(new URL('../../../../shared/testdata/bitcoin-regtest-templates.json', import.meta.url), 'utf8')) as {
  template_with_mempool: { result: NJson };
  template_empty_mempool: { result: NJson };
};

let node: ReplayNode;
let rpc: RpcClient;
beforeEach(async () => {
  node = await new ReplayNode().start();
  rpc = createRpcClient({ url: node.url, jsonrpc: '2.0', retries: 0, timeoutMs: 5000 });
});
afterEach(async () => {
  expect(node.problems).toEqual([]);
  expect(node.pending).toBe(0);
  rpc.close();
  await node.stop();
});

const err = (code: number, message: string): NJson => ({ error: { code, message }, id: 1, jsonrpc: '2.0' });

describe('detectChainFlavor: standard first, GXC second', () => {
  it('asks getblocktemplate with the segwit rule first', async () => {
    node.answer('getblocktemplate', exchangeIndex('template for the pool address'));
    expect(await detectChainFlavor(rpc)).toBe('gxc');
    expect(node.requests[0]!.json.params).toEqual([{ rules: ['segwit'] }]);
  });

  it('recognises Bitcoin Core templates (recorded regtest answers)', async () => {
    node.answerWith('getblocktemplate', { id: 1, jsonrpc: '2.0', result: bitcoin.template_with_mempool.result });
    expect(await detectChainFlavor(rpc)).toBe('bitcoin');
    node.answerWith('getblocktemplate', { id: 1, jsonrpc: '2.0', result: bitcoin.template_empty_mempool.result });
    expect(await detectChainFlavor(rpc)).toBe('bitcoin');
  });

  it('a refusal of the standard request is settled by the GXC-only method name', async () => {
    node
      .answerWith('getblocktemplate', err(-32603, 'Failed to get block template: miner address required'))
      .answer('gxc_getBlockTemplate', exchangeIndex('template via the gxc_ alias'));
    expect(await detectChainFlavor(rpc)).toBe('gxc');
    node
      .answerWith('getblocktemplate', err(-32603, 'Internal error'))
      .answerWith('gxc_getBlockTemplate', err(-32603, 'Failed to get block template: no wallet'));
    expect(await detectChainFlavor(rpc)).toBe('gxc');
    node
      .answerWith('getblocktemplate', err(-10, 'Bitcoin Core is in initial sync and waiting for blocks...'))
      .answerWith('gxc_getBlockTemplate', err(-32601, 'Method not found'));
    expect(await detectChainFlavor(rpc)).toBe('bitcoin');
  });

  it('fails clearly for a node that has no getblocktemplate at all', async () => {
    node.answer('getblocktemplate', exchangeIndex('unknown method'));
    await expect(detectChainFlavor(rpc)).rejects.toThrow(/neither a Bitcoin Core-compatible nor a GXC node/);
  });
});
