/**
 * The node down at start, going down mid-run and coming back: miners stay connected, get no made-up work while the
 * node is away, and mining resumes as soon as it answers again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { bitsToTarget, targetToDifficulty } from '../../src/core/target.js';
import { startGxcDevnet, type GxcDevnet } from '../../src/devnet/gxc/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { TestClient } from '../stratum/helpers/client.js';
import { findShare, parseNotify } from '../helpers/share-finder.js';
import { freePort, until } from './fixtures/env.js';

const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

describe('node outages', () => {
  let dir: string;
  let nodePort: number;
  let devnet: GxcDevnet | null = null;
  let app: PoolProcess;
  const startNode = async (): Promise<GxcDevnet> => {
    devnet = await startGxcDevnet({ port: nodePort, dataDir: path.join(dir, 'node'), difficulty: 5 });
    return devnet;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-outage-'));
    nodePort = await freePort();
    const cfg = loadConfig({
      env: {},
      flags: {
        nodeUrl: `http://127.0.0.1:${nodePort}`,
        chain: 'gxc',
        poolAddress: ADDRESS,
        dataDir: path.join(dir, 'pool'),
        logLevel: 'silent',
        pool: 'asic',
        difficulty: '0.00002',
      },
    });
    // The node is down when the pool starts.
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger });
  });

  afterAll(async () => {
    await app?.stop();
    await devnet?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts without a node, hands out no job, and sends real work within a second of the node appearing', async () => {
    const pool = app.pools[0]!;
    const health = (await (await fetch(`http://127.0.0.1:${pool.webPort}/api/health`)).json()) as { ok: boolean; node_error: string | null };
    expect(health.ok).toBe(false);
    expect(health.node_error).toMatch(/ECONNREFUSED|connect|refused/i);

    const c = await TestClient.open(pool.stratumPort);
    try {
      await c.call(1, 'mining.subscribe', ['outage/1.0']);
      expect((await c.call(2, 'mining.authorize', [`${ADDRESS}.w`, 'x'])).result).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      expect(c.received.some((m) => m.method === 'mining.notify')).toBe(false);
      expect(c.isClosed).toBe(false);

      const node = await startNode();
      const up = Date.now();
      const notify = await c.notification('mining.notify', 5000);
      const delay = Date.now() - up;
      console.log(`first job ${delay} ms after the node came up`);
      expect(delay).toBeLessThan(1500);
      const job = parseNotify(notify.params as unknown[]);
      expect(job.prevHash).not.toBe('');
      expect(node.chain.count).toBeGreaterThan(0);

      // The node goes away mid-run: the miner stays connected and gets nothing made up.
      await node.stop();
      devnet = null;
      const before = c.received.filter((m) => m.method === 'mining.notify').length;
      await until('the pool to notice the node is down', 5000, async () => {
        const h = (await (await fetch(`http://127.0.0.1:${pool.webPort}/api/health`)).json()) as { node_error: string | null };
        return h.node_error !== null;
      });
      await new Promise((r) => setTimeout(r, 1000));
      expect(c.received.filter((m) => m.method === 'mining.notify').length).toBe(before);
      expect(c.isClosed).toBe(false);

      // The node returns with the same chain: the pool answers healthy within a second and a block mined on
      // the job the miner kept is accepted by the node.
      await startNode();
      const back = Date.now();
      await until(
        'the pool to see the node again',
        3000,
        async () => {
          const h = (await (await fetch(`http://127.0.0.1:${pool.webPort}/api/health`)).json()) as { ok: boolean };
          return h.ok;
        },
        25,
      );
      const recovery = Date.now() - back;
      console.log(`node seen again ${recovery} ms after it came back`);
      expect(recovery).toBeLessThan(1500);

      const sub = c.received.find((m) => m.id === 1)!;
      const [, extranonce1, en2Size] = sub.result as [unknown, string, number];
      const latest = parseNotify(c.received.filter((m) => m.method === 'mining.notify').at(-1)!.params as unknown[]);
      const block = findShare(latest, extranonce1, '00'.repeat(en2Size), targetToDifficulty(bitsToTarget(latest.nbits)), { maxTries: 30_000_000 });
      const reply = await c.call(9, 'mining.submit', [`${ADDRESS}.w`, latest.jobId, block.extranonce2, block.ntime, block.nonce]);
      expect(reply).toMatchObject({ result: true, error: null });
      const stored = await until('the block to be accepted', 10_000, async () =>
        (await app.store.store.recentBlocks('asic', 5)).find((b) => b.hash === block.hashDisplay && b.status === 'pending'),
      );
      expect(stored.height).toBe(devnet!.chain.count - 1);
    } finally {
      c.close();
    }
  }, 90_000);
});
