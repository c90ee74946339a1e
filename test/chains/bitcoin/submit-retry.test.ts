/**
 * A submitblock whose reply is lost may have been taken by the node; a resubmission then answers "duplicate",
 * which reads as a refusal. The adapter must send it once and report the transport failure instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitcoinAdapter } from '../../../src/chains/bitcoin/adapter.js';
import type { BitcoinWork } from '../../../src/chains/bitcoin/work.js';
import { createRpcClient, type HttpRpcClient } from '../../../src/rpc/client.js';
import { RECORDED_TAG, rejects, solutionFor } from './fixtures.js';
import { ok, startReplayNode, type ReplayNode } from './replay-node.js';

const accepted = rejects.accepted_block;
let node: ReplayNode;
let rpc: HttpRpcClient;

beforeAll(async () => {
  let submits = 0;
  node = await startReplayNode({
    getblocktemplate: () => ok(rejects.template_T2.result),
    // First attempt: the node takes the block but answers after the client's timeout (a slow ConnectBlock);
    // a resubmission is then a "duplicate".
    submitblock: async () => {
      if (++submits === 1) await new Promise((resolve) => setTimeout(resolve, 600));
      return ok(submits === 1 ? null : 'duplicate');
    },
  });
  rpc = createRpcClient({ url: node.url, retries: 2, retryDelayMs: 10, timeoutMs: 300 });
});
afterAll(async () => {
  rpc.close();
  await node.close();
});

describe('bitcoin submitBlock with a lost reply', () => {
  it('is sent once, not resubmitted into a misleading "duplicate"', async () => {
    const adapter = createBitcoinAdapter({ rpc, network: 'regtest', poolAddress: rejects.pool_payout.address, poolTag: RECORDED_TAG });
    const work = (await adapter.getWork(8)) as BitcoinWork;
    const outcome = await adapter.submitBlock(work, solutionFor(work, Buffer.from(accepted.coinbase.extranonce, 'hex'), accepted.nonce));
    expect(node.calls.filter((c) => c.method === 'submitblock')).toHaveLength(1);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).not.toBe('duplicate');
    expect(outcome.reason).toMatch(/^submitblock: .*timeout/);
    expect(outcome.uncertain).toBe(true);
  });
});
