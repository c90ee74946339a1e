/**
 * The dashboard's API on the real thing: the pool as `npm start` runs it (GXC devnet, SQLite, three pools) and
 * the built-in miner. Any web port answers for every pool; the miner's worker shows online with its difficulty
 * and best share; live events carry share summaries, the miner and the found block; the network answer is live.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { startMiner } from '../../src/miner/index.js';
import { until } from './fixtures/env.js';

const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

/** node:http, not fetch(): fetch refuses some ports (6000) and we also need a raw event stream. */
function openEvents(url: string): { events: Array<{ event: string; data: Record<string, unknown> }>; close(): void } {
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  let buffer = '';
  const req = http.get(url, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    });
  });
  req.on('error', () => undefined);
  return { events, close: () => req.destroy() };
}

describe('dashboard API on a running pool', () => {
  let app: PoolProcess;
  let dataDir: string;
  const webOf = (name: string): number => app.pools.find((p) => p.settings.name === name)!.webPort;
  const json = async (port: number, p: string): Promise<unknown> => (await fetch(`http://127.0.0.1:${port}${p}`)).json();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-e2e-dash-'));
    const cfg = loadConfig({ env: {}, flags: { devnetFlavor: 'gxc', devnetDifficulty: '5', dataDir, logLevel: 'silent', difficulty: '0.00002' } });
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('any web port lists and serves every pool of the process', async () => {
    const pools = (await json(webOf('asic'), '/api/pools')) as Array<Record<string, unknown>>;
    expect(pools.map((p) => p.name)).toEqual(['asic', 'gpu', 'general']);
    for (const p of app.pools) {
      expect(pools.find((x) => x.name === p.settings.name)).toMatchObject({
        stratum_port: p.stratumPort,
        web_port: p.webPort,
        stratum_url: `stratum+tcp://127.0.0.1:${p.stratumPort}`,
        scheme: 'pplns',
        maturity: app.chain.coinbaseMaturity,
      });
      const stats = (await json(webOf('asic'), `/api/stats?pool=${p.settings.name}`)) as Record<string, unknown>;
      expect(stats.pool_name).toBe(p.settings.name);
    }
    const network = (await json(webOf('gpu'), '/api/network?pool=general')) as Record<string, unknown>;
    expect(network).toMatchObject({ pool: 'general', node_reachable: true, dialect: 'gxc', chain: 'gxc' });
    expect(network.height).toEqual(expect.any(Number));
    expect(network.last_template_age_seconds as number).toBeLessThan(120);
    const history = (await json(webOf('asic'), '/api/stats/history?range=1h&pool=general')) as { points: unknown[] };
    expect(history.points.length).toBeGreaterThanOrEqual(59);
    expect((await fetch(`http://127.0.0.1:${webOf('asic')}/api/admin/sessions`)).status).toBe(404);
  });

  it("shows the miner's worker online and streams its shares, itself and the block it finds", async () => {
    const stream = openEvents(`http://127.0.0.1:${webOf('asic')}/api/events?pool=general&miner=${ADDRESS}`);
    const generalPort = app.pools.find((p) => p.settings.name === 'general')!.stratumPort;
    const miner = startMiner({ url: `stratum+tcp://127.0.0.1:${generalPort}`, user: `${ADDRESS}.cpu1`, threads: 1 });
    try {
      await until('3 accepted shares', 60_000, () => miner.stats().accepted >= 3);
      const workers = (await json(webOf('gpu'), `/api/miners/${ADDRESS}/workers?pool=general`)) as Array<Record<string, unknown>>;
      expect(workers).toEqual([
        expect.objectContaining({
          worker: 'cpu1',
          online: true,
          connections: 1,
          current_difficulty: expect.any(Number),
          last_share: expect.any(String),
        }),
      ]);
      expect(workers[0]?.best_share as number).toBeGreaterThan(0);
      expect(workers[0]?.hashrate as number).toBeGreaterThan(0);
      await until('a share-summary event', 30_000, () => stream.events.some((e) => e.event === 'share-summary'));
      const minerEvent = await until('a miner event with the worker online', 30_000, () =>
        stream.events.find((e) => e.event === 'miner' && (e.data.workers as Array<{ online: boolean }>).some((w) => w.online)),
      );
      expect(minerEvent.data.address).toBe(ADDRESS);
      const blockEvent = await until('a block event', 90_000, () => stream.events.find((e) => e.event === 'block'));
      expect(blockEvent.data).toMatchObject({ pool: 'general', block: expect.objectContaining({ address: ADDRESS, worker: 'cpu1' }) });
      const hash = (blockEvent.data.block as { hash: string }).hash;
      const detail = (await json(webOf('general'), `/api/blocks/${hash}`)) as { block: Record<string, unknown> };
      expect(detail.block).toMatchObject({ hash, address: ADDRESS });
    } finally {
      stream.close();
      await miner.stop();
    }
  }, 180_000);
});
