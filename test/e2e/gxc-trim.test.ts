/**
 * A GXC block whose body would exceed the node's 8 KB request limit: the pool trims mempool transactions when it
 * builds the work (so the header commits to what is really submitted), logs what it left out, and the node
 * accepts the block.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { bitsToTarget, targetToDifficulty } from '../../src/core/target.js';
import { startGxcDevnet, type GxcDevnet } from '../../src/devnet/gxc/index.js';
import { TestClient } from '../stratum/helpers/client.js';
import { findShare, parseNotify } from '../helpers/share-finder.js';
import pino from 'pino';
import { until } from './fixtures/env.js';

const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

describe('GXC 8 KB request limit through the pool', () => {
  let dir: string;
  let devnet: GxcDevnet;
  let app: PoolProcess;
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-trim-'));
    // 60 mempool transactions make a template far larger than 8 KB.
    devnet = await startGxcDevnet({ difficulty: 4, mempoolTxs: 60 });
    const cfg = loadConfig({ env: {}, flags: { nodeUrl: devnet.url, poolAddress: ADDRESS, dataDir: dir, pool: 'asic', difficulty: '0.00001' } });
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger });
  });

  afterAll(async () => {
    await app?.stop();
    await devnet?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('detects the GXC dialect, trims the work, and the node accepts the mined block', async () => {
    expect(app.chain.kind).toBe('gxc');
    const trims = lines.filter((l) => l.event === 'gxc_template_trimmed');
    expect(trims.length).toBeGreaterThan(0);
    expect((trims[0]!.leftOut as string[]).length).toBeGreaterThan(0);
    const c = await TestClient.open(app.pools[0]!.stratumPort);
    try {
      const sub = await c.call(1, 'mining.subscribe', ['trim/1.0']);
      const [, extranonce1, en2Size] = sub.result as [unknown, string, number];
      await c.call(2, 'mining.authorize', [`${ADDRESS}.w`, 'x']);
      const job = parseNotify((await c.notification('mining.notify')).params as unknown[]);
      const heightBefore = devnet.chain.count;
      const block = findShare(job, extranonce1, '00'.repeat(en2Size), targetToDifficulty(bitsToTarget(job.nbits)), { maxTries: 20_000_000 });
      const reply = await c.call(3, 'mining.submit', [`${ADDRESS}.w`, job.jobId, block.extranonce2, block.ntime, block.nonce]);
      expect(reply).toMatchObject({ result: true, error: null });
      const stored = await until('the node to accept the block', 10_000, async () =>
        (await app.store.store.recentBlocks('asic', 5)).find((b) => b.hash === block.hashDisplay && b.status !== 'candidate'),
      );
      expect(stored.status).toBe('pending');
      expect(devnet.chain.count).toBe(heightBefore + 1);
    } finally {
      c.close();
    }
  }, 60_000);
});
