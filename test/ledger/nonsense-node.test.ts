/**
 * A node answering nonsense must never orphan a good block: the ledger runs against a real devnet through the
 * fault proxy (valid JSON-RPC, result shapes that make no sense, HTML 502 pages, garbage bytes) and the pool block
 * on the devnet's main chain is never orphaned (the runs report errors, retried later), and is credited exactly
 * once by the time the node answers properly. Both node dialects, real adapters, real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startDevnet } from '../../src/devnet/index.js';
import { startGxcDevnet } from '../../src/devnet/gxc/index.js';
import { createBlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { connectNode, type NodeConnection } from '../../src/node.js';
import { createRpcClient } from '../../src/rpc/client.js';
import type { Store } from '../../src/store/types.js';
import { regtestAddress } from '../e2e/fixtures/env.js';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../helpers/fault-proxy.js';
import { addPendingBlock, addShares, Clock, openStore, POOL, tempDir } from './helpers.js';

const GXC_ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

describe.each(['bitcoin', 'gxc'] as const)('a %s node answering nonsense', (flavor) => {
  let dir: string;
  let clock: Clock;
  let store: Store;
  let stopDevnet: () => Promise<void>;
  let devnetUrl: string;
  let proxy: FaultProxy;
  let node: NodeConnection;

  beforeEach(async () => {
    dir = tempDir();
    clock = new Clock();
    store = await openStore(dir, clock);
    if (flavor === 'gxc') {
      const devnet = await startGxcDevnet({ difficulty: 2, dataDir: path.join(dir, 'node') });
      devnetUrl = devnet.url;
      stopDevnet = () => devnet.stop();
    } else {
      const devnet = await startDevnet({ bits: '1f00ffff', autoTransactions: 0 });
      devnetUrl = devnet.url;
      stopDevnet = () => devnet.stop();
    }
    proxy = await startFaultProxy(devnetUrl);
    const poolAddress = flavor === 'gxc' ? GXC_ADDRESS : regtestAddress('nonsense pool');
    const cfg = loadConfig({
      env: {},
      flags: { nodeUrl: proxy.url, chain: flavor, poolAddress, dataDir: dir, ...(flavor === 'bitcoin' ? { network: 'regtest' } : {}) },
    });
    node = await connectNode(cfg, silentLogger);
  }, 60_000);

  afterEach(async () => {
    await node?.stop();
    await proxy?.close();
    await stopDevnet?.();
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never orphans a block that is on the main chain, and credits it once the node answers properly', async () => {
    const rpc = createRpcClient({ url: devnetUrl, jsonrpc: flavor === 'gxc' ? '2.0' : '1.0' });
    try {
      const [hash] = await rpc.call<string[]>('generatetoaddress', [1, flavor === 'gxc' ? GXC_ADDRESS : regtestAddress('nonsense pool')]);
      const height = flavor === 'gxc' ? (await rpc.call<number>('getblockcount')) - 1 : await rpc.call<number>('getblockcount');
      expect(await rpc.call<string>('getblockhash', [height])).toBe(hash);
      await rpc.call('generatetoaddress', [2, flavor === 'gxc' ? GXC_ADDRESS : regtestAddress('someone')]);
      const [shareId] = await addShares(store, clock, [['A', 1]]);
      const id = await addPendingBlock(store, clock, { height, hash: hash!, finder: 'A', shareId: shareId!, reward: 1000n, networkDifficulty: 1 });
      const life = createBlockLifecycle({
        store,
        chain: node.chain,
        scheme: createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null }),
        pool: POOL,
        logger: silentLogger,
        now: clock.now,
      });

      // The call that says which block is at a height gets nonsense while the others answer (so the lifecycle
      // gets as far as asking it); then everything is broken.
      const faults: FaultMode[] = [
        { kind: 'nonsense', only: ['getblockhash', 'getblock', 'getblockheader'] },
        { kind: 'nonsense' },
        { kind: 'html502' },
        { kind: 'garbage' },
      ];
      let failedRuns = 0;
      for (const mode of faults) {
        proxy.setMode(mode);
        for (let run = 0; run < 8; run++) {
          let report: Awaited<ReturnType<typeof life.run>> | null = null;
          try {
            report = await life.run();
          } catch {
            failedRuns += 1; // syncState itself failed: nothing judged
          }
          if (report && report.errors.length > 0) failedRuns += 1;
          // A mangled answer that still names the right hash at that height may credit it; nothing may orphan it.
          expect((await store.blockById(id))?.status, `${mode.kind} run ${run}`).not.toBe('orphaned');
        }
      }
      expect(failedRuns).toBeGreaterThan(faults.length * 6);

      proxy.setMode({ kind: 'pass' });
      await life.run();
      expect(await store.blockById(id)).toMatchObject({ status: 'immature', creditState: 'credited', confirmations: 3 });
      expect((await store.ledgerEntries({ blockId: id, limit: 10 })).map((e) => [e.kind, e.amount])).toEqual([['credit', 1000n]]);
    } finally {
      rpc.close();
    }
  }, 90_000);
});
