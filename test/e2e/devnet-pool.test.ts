/**
 * End to end: the pool as `npm start` runs it (embedded devnet, SQLite, all three pools), the built-in CPU miner,
 * and a raw Stratum client that submits real and tampered shares. Blocks must pass the devnet's own full checks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { sha256d } from '../../src/core/hash.js';
import { reverseBuf } from '../../src/core/bytes.js';
import { bitsToTarget, targetToDifficulty } from '../../src/core/target.js';
import pino from 'pino';
import { startMiner } from '../../src/miner/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { assertWellFormedReplies, TestClient } from '../stratum/helpers/client.js';
import { findShare, parseNotify, type NotifyJob } from '../helpers/share-finder.js';
import { until } from './fixtures/env.js';

const FLAVORS = [
  { flavor: 'bitcoin' as const, address: 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce', devnetDifficulty: '0.0001' },
  // GXC difficulty counts leading hex zeros: 5 zeros is a block per ~1M hashes (12x the share difficulty used here).
  { flavor: 'gxc' as const, address: 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf', devnetDifficulty: '5' },
];

describe.each(FLAVORS)('pool on the $flavor devnet', ({ flavor, address, devnetDifficulty }) => {
  let app: PoolProcess;
  let dataDir: string;
  const rejections: string[] = [];
  const portOf = (name: string): number => app.pools.find((p) => p.settings.name === name)!.stratumPort;
  const webOf = (name: string): number => app.pools.find((p) => p.settings.name === name)!.webPort;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gxc-e2e-${flavor}-`));
    const cfg = loadConfig({
      env: {},
      flags: { devnetFlavor: flavor, devnetDifficulty, dataDir, logLevel: 'silent', difficulty: '0.00002' },
    });
    // Share rejections are kept so a failing assertion can say which ones happened and why.
    const logger = pino(
      { level: 'debug', base: undefined },
      { write: (line: string) => void (line.includes('"share_rejected"') && rejections.push(line)) },
    );
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the three pools, each web port answering with the seed fields', async () => {
    expect(app.pools.map((p) => p.settings.name)).toEqual(['asic', 'gpu', 'general']);
    for (const name of ['asic', 'gpu', 'general']) {
      const stats = (await (await fetch(`http://127.0.0.1:${webOf(name)}/api/stats`)).json()) as Record<string, unknown>;
      expect(stats.pool_name).toBe(name);
      for (const key of [
        'algorithm',
        'active_miners',
        'total_shares',
        'accepted_shares',
        'rejected_shares',
        'blocks_found',
        'confirmed_blocks',
        'difficulty',
        'current_job',
      ]) {
        expect(stats).toHaveProperty(key);
      }
      const bad = await fetch(`http://127.0.0.1:${webOf(name)}/api/blocks?limit=abc`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/limit must be an integer/);
    }
  });

  it('the built-in miner gets shares accepted and finds blocks the devnet accepts', async () => {
    const miner = startMiner({ url: `stratum+tcp://127.0.0.1:${portOf('general')}`, user: `${address}.cpu1`, threads: 1 });
    try {
      await until('3 accepted shares', 45_000, () => miner.stats().accepted >= 3);
      const block = await until('a block accepted by the devnet', 60_000, async () => {
        const blocks = await app.store.store.recentBlocks('general', 10);
        return blocks.find((b) => b.status === 'pending');
      });
      // The stored header re-verifies: its sha256d is the block hash, and it meets the header's own bits.
      const header = Buffer.from(block.headerHex, 'hex');
      expect(header.length).toBe(80);
      expect(reverseBuf(sha256d(header)).toString('hex')).toBe(block.hash);
      // The devnet has it on its main chain.
      const rpc = createRpcClient({ url: app.node.devnetUrl!, jsonrpc: flavor === 'bitcoin' ? '1.0' : '2.0' });
      try {
        const blockHash = await rpc.call<string>('getblockhash', [block.height]);
        expect(blockHash).toBe(block.hash);
      } finally {
        rpc.close();
      }
      const apiBlocks = (await (await fetch(`http://127.0.0.1:${webOf('general')}/api/blocks`)).json()) as Array<Record<string, unknown>>;
      expect(apiBlocks.some((b) => b.hash === block.hash && b.number === block.height && b.status !== 'rejected')).toBe(true);
      // A share racing a found block may be stale (21); nothing else may be rejected.
      const general = app.pools.find((p) => p.settings.name === 'general')!.runtime.counters;
      expect(general.rejected - general.stale, rejections.join('\n')).toBe(0);
    } finally {
      await miner.stop();
    }
  }, 120_000);

  it('rejects tampered shares with their codes and accepts the honest one with "error": null', async () => {
    const c = await TestClient.open(portOf('asic'));
    try {
      const sub = await c.call(1, 'mining.subscribe', ['e2e/1.0']);
      const [, extranonce1, en2Size] = sub.result as [unknown, string, number];
      expect((await c.call(2, 'mining.authorize', [`${address}.raw`, 'x'])).result).toBe(true);
      const diffMsg = await c.notification('mining.set_difficulty');
      const difficulty = (diffMsg.params as number[])[0]!;
      const job: NotifyJob = parseNotify((await c.notification('mining.notify')).params as unknown[]);
      const en2 = '00'.repeat(en2Size);
      // Not a block: a block would clean the jobs and turn the checks below into stale (21) answers.
      const share = findShare(job, extranonce1, en2, difficulty, { notBlock: true });
      const submit = (
        id: number,
        over: Partial<{ job: string; en2: string; ntime: string; nonce: string; vbits: string }> = {},
      ): Promise<Record<string, unknown>> => {
        const params = [`${address}.raw`, over.job ?? job.jobId, over.en2 ?? share.extranonce2, over.ntime ?? share.ntime, over.nonce ?? share.nonce];
        if (over.vbits) params.push(over.vbits);
        return c.call(id, 'mining.submit', params);
      };

      const ok = await submit(10);
      expect(ok).toMatchObject({ result: true, error: null });
      expect((await submit(11)).error).toEqual([22, expect.stringMatching(/duplicate/i), null]);

      const miss = findShare(job, extranonce1, en2, difficulty, { miss: true, startNonce: parseInt(share.nonce, 16) + 1 });
      expect((await submit(12, { nonce: miss.nonce })).error).toEqual([23, expect.stringMatching(/low difficulty/i), null]);
      expect((await submit(13, { job: 'deadbeef' })).error).toEqual([21, expect.any(String), null]);
      expect((await submit(14, { vbits: '00002000' })).error).toEqual([20, expect.stringMatching(/mask/), null]);
      const early = (parseInt(job.ntime, 16) - 100_000).toString(16).padStart(8, '0');
      expect((await submit(15, { ntime: early })).error).toEqual([20, expect.stringMatching(/ntime/), null]);
      const future = (Math.floor(Date.now() / 1000) + 8000).toString(16).padStart(8, '0');
      expect((await submit(16, { ntime: future })).error).toEqual([20, expect.stringMatching(/future/), null]);
      expect((await submit(17, { en2: 'zz' })).error).toEqual([20, expect.stringMatching(/extranonce2/), null]);

      // A block found by this client cleans every job: a share on the old job is then stale (21).
      const networkDifficulty = targetToDifficulty(bitsToTarget(job.nbits));
      const blockShare = findShare(job, extranonce1, '00'.repeat(en2Size - 1) + '01', networkDifficulty, { maxTries: 20_000_000 });
      const blockReply = await submit(18, { en2: blockShare.extranonce2, nonce: blockShare.nonce });
      expect(blockReply).toMatchObject({ result: true, error: null });
      // Vardiff may also re-issue the same work under a new id: wait for work on a new previous block.
      await c.waitFor(
        (m) => m.method === 'mining.notify' && (m.params as unknown[])[8] === true && (m.params as unknown[])[1] !== job.prevHash,
        10_000,
        'clean notify for the next block',
      );
      const stale = findShare(job, extranonce1, '00'.repeat(en2Size - 1) + '02', difficulty);
      expect((await submit(19, { en2: stale.extranonce2, nonce: stale.nonce })).error).toEqual([21, expect.any(String), null]);
      assertWellFormedReplies(c.received);

      // The node's verdict is recorded in the background (the miner is answered once the block row is written);
      // the ledger may already have seen it on the main chain (immature) on a slow run.
      await until('the block recorded as accepted', 10_000, async () =>
        (await app.store.store.recentBlocks('asic', 10)).find((b) => b.hash === blockShare.hashDisplay && /^(pending|immature)$/.test(b.status)),
      );
    } finally {
      c.close();
    }
  }, 120_000);
});
