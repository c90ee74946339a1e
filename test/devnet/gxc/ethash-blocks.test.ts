/**
 * GXC pow_ethash blocks end to end inside the test: the GXC adapter builds Ethash work from the devnet's template,
 * a nonce is found with real Ethash (light mode), the adapter re-verifies and submits, and the devnet re-verifies
 * with its own Ethash. Devnet difficulty 1 (16 hashes a block on average) keeps the search short on a loaded CPU.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGxcAdapter } from '../../../src/chains/gxc/adapter.js';
import { ethashSubmitBlockJson, isGxcEthashWork } from '../../../src/chains/gxc/ethash-bridge.js';
import type { ChainAdapter, EthashCapability } from '../../../src/chains/types.js';
import { startGxcDevnet, type GxcDevnet } from '../../../src/devnet/gxc/index.js';
import { createRpcClient } from '../../../src/rpc/client.js';
import { RpcError, type RpcClient } from '../../../src/rpc/types.js';
import { lightHash, searchEthash } from '../../helpers/ethash-light.js';

const POOL = 'tGXCe2e0pool0000000000000000000000001';
const open: Array<{ devnet: GxcDevnet; rpc: RpcClient }> = [];
const rehash = async (n: number, h: string, nonce: bigint) => lightHash(n, h, nonce);

async function setup(): Promise<{ devnet: GxcDevnet; rpc: RpcClient; adapter: ChainAdapter; ethash: EthashCapability }> {
  const devnet = await startGxcDevnet({ difficulty: 1, walletAddresses: [POOL], mempoolTxs: 2 });
  const rpc = createRpcClient({ url: devnet.url, jsonrpc: '2.0', maxRequestBytes: 7900, retries: 0, timeoutMs: 60_000 });
  open.push({ devnet, rpc });
  const adapter = createGxcAdapter({ rpc, poolAddress: POOL, poolTag: '/e2e/' });
  if (!adapter.ethash) throw new Error('the GXC adapter must offer Ethash');
  return { devnet, rpc, adapter, ethash: adapter.ethash };
}

afterEach(async () => {
  for (const { devnet, rpc } of open.splice(0)) {
    rpc.close();
    await devnet.stop();
  }
});

describe('GXC devnet: pow_ethash blocks re-verified with real Ethash', () => {
  it('accepts an Ethash block whose 64-bit nonce is above 2^53, and shows its proof', { timeout: 120_000 }, async () => {
    const { devnet, rpc, adapter, ethash } = await setup();
    const work = ethash.workFor(await adapter.getWork(8));
    expect(work.height).toBe(1);
    const solution = searchEthash(work.height, work.headerHash, work.networkTarget, 0xfedcba9876543210n);
    const outcome = await ethash.submitBlock(work, solution, rehash);
    expect(outcome).toMatchObject({ accepted: true, reason: null, blockHash: solution.finalHash });
    expect(devnet.chain.count).toBe(2);
    expect(devnet.chain.tip.consensus).toBe('pow_ethash');
    expect(devnet.chain.tip.nonce).toBe(solution.nonce);
    expect(devnet.chain.tip.txs).toHaveLength(work.txCount);
    const block = await rpc.call<Record<string, unknown>>('getblock', [1]);
    expect(block).toMatchObject({ hash: solution.finalHash, pool_header_hash: work.headerHash, pool_mix_digest: solution.mixDigest });
  });

  it('refuses pow_ethash blocks whose proof does not hold, with the reason', { timeout: 120_000 }, async () => {
    const { devnet, rpc, adapter, ethash } = await setup();
    const work = ethash.workFor(await adapter.getWork(8));
    const solution = searchEthash(work.height, work.headerHash, work.networkTarget);
    // The pool's own check: a wrong mix digest never reaches the node.
    const wrongMix = await ethash.submitBlock(work, { ...solution, mixDigest: 'ab'.repeat(32) }, rehash);
    expect(wrongMix.accepted).toBe(false);
    expect(wrongMix.reason).toMatch(/pool-bug: block proof does not hold.*pool_mix_digest/);
    expect(devnet.chain.count).toBe(1);
    // Sent by hand: the devnet re-verifies (another nonce with the same claimed hash, then a moved timestamp).
    if (!isGxcEthashWork(work)) throw new Error('GXC Ethash work expected');
    const send = async (block: Record<string, unknown>): Promise<string> => {
      try {
        await rpc.call('submitblock', [block]);
        return 'accepted';
      } catch (err) {
        if (err instanceof RpcError) return err.rpcMessage;
        throw err;
      }
    };
    const good = ethashSubmitBlockJson(work.gxc.fields, solution) as Record<string, unknown>;
    expect(await send({ ...good, nonce: Number(solution.nonce) + 1 })).toMatch(/Ethash verification failed: pool_mix_digest/);
    expect(await send({ ...good, timestamp: work.timestamp + 1 })).toMatch(/Ethash verification failed: pool_header_hash .* does not commit/);
    expect(await send({ ...good, pool_header_hash: undefined })).toMatch(/Ethash verification failed: pool_header_hash must be/);
    expect(devnet.chain.count).toBe(1);
    expect(await send(good)).toBe('accepted');
    expect(devnet.chain.count).toBe(2);
  });

  it('two Ethash blocks for one height at once: both hashed off the loop, the first connects, the second is stale', {
    timeout: 120_000,
  }, async () => {
    const { devnet, rpc, adapter, ethash } = await setup();
    const work = ethash.workFor(await adapter.getWork(8));
    if (!isGxcEthashWork(work)) throw new Error('GXC Ethash work expected');
    const first = searchEthash(work.height, work.headerHash, work.networkTarget);
    const second = searchEthash(work.height, work.headerHash, work.networkTarget, first.nonce + 1n);
    const send = (solution: typeof first): Promise<string> =>
      rpc.call('submitblock', [ethashSubmitBlockJson(work.gxc.fields, solution) as Record<string, unknown>]).then(
        () => 'accepted',
        (err: unknown) => (err instanceof RpcError ? err.rpcMessage : Promise.reject(err)),
      );
    const answers = await Promise.all([send(first), send(second)]);
    expect(answers.filter((a) => a === 'accepted')).toHaveLength(1);
    expect(answers.find((a) => a !== 'accepted')).toMatch(/Stale block/);
    expect(devnet.chain.count).toBe(2);
  });
});
