/**
 * A burst of GPU shares does not stall the SHA-256d miners of the same process: the pool as `npm start` runs it
 * (embedded GXC devnet, general port 3333 serving both algorithms), 400 well-formed EthereumStratum submits from 10
 * connections (each verified with real Ethash on the worker threads) while an SV1 miner pipelines a share every
 * 20 ms. Asserted: every submit of both kinds is answered, SV1 shares keep being answered while Ethash
 * verifications are outstanding, and SV1 latency and the event-loop delay stay under generous bounds (this shared
 * 2-core machine shows scheduler gaps of a few hundred ms; 400 verifications on the loop would take seconds: the
 * TypeScript light hash costs ~10 ms each here). Figures: bench/ethash-burst.ts and bench/RESULTS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { runEthashBurst } from '../helpers/ethash-burst.js';
import { TestClient } from '../stratum/helpers/client.js';
import { until } from './fixtures/env.js';

const SUBMITS = 400;
const ADMIN_TOKEN = 'burstAdminToken0123456789';
const MAX_SV1_LATENCY_MS = 1500;
const MAX_LOOP_DELAY_MS = 1500;

let app: PoolProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-ethash-burst-'));
  const cfg = loadConfig({
    env: {},
    flags: { devnetFlavor: 'gxc', pool: 'general', dataDir, logLevel: 'silent', difficulty: '1e-9', adminToken: ADMIN_TOKEN },
  });
  app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger, ledger: { tickMs: 250 } });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('general port: SHA-256d miners during an Ethash burst', () => {
  it(`answers every SV1 share promptly while ${SUBMITS} Ethash submits are verified`, { timeout: 180_000 }, async () => {
    const general = app.pools.find((p) => p.settings.name === 'general')!;
    await until('general pool healthy with Ethash work', 60_000, async () => {
      const res = await fetch(`http://127.0.0.1:${general.webPort}/api/health`);
      return ((await res.json()) as { ok: boolean }).ok;
    });
    const report = await runEthashBurst({
      port: general.stratumPort,
      address: `tGXC${'burst'.padEnd(30, '0')}`,
      ethashConnections: 10,
      ethashSubmits: SUBMITS,
      sv1IntervalMs: 20,
      timeoutMs: 120_000,
    });
    const detail = JSON.stringify(report);
    expect(report.ethashReplies.accepted + report.ethashReplies.rejected, detail).toBe(SUBMITS);
    // Random nonces: some meet the share boundary, the rest are low-difficulty shares — all verified, none refused for load.
    expect(report.ethashReplies.accepted, detail).toBeGreaterThan(0);
    expect(Object.keys(report.ethashReplies.byError), detail).toEqual(['23']);
    expect(report.sv1.answered, detail).toBe(report.sv1.sent);
    expect(report.sv1.accepted, detail).toBe(report.sv1.sent);
    expect(report.sv1.duringBurst, detail).toBeGreaterThan(0);
    expect(report.sv1.latency.max, detail).toBeLessThan(MAX_SV1_LATENCY_MS);
    expect(report.loopDelayMs.max, detail).toBeLessThan(MAX_LOOP_DELAY_MS);
  });

  it('bans an eth-proxy client whose logins keep being refused: listed at /api/admin/bans, refused at accept', async () => {
    const general = app.pools.find((p) => p.settings.name === 'general')!;
    const threshold = app.bans.current.badAuthorizations;
    const hostile = await TestClient.open(general.stratumPort, '127.0.0.1', '127.0.0.2');
    for (let i = 0; i < threshold; i++) {
      hostile.send({ id: 10 + i, jsonrpc: '2.0', method: 'eth_submitLogin', params: ['0xnot-a-gxc-address', 'x'], worker: 'rig' });
    }
    await hostile.closed;
    const res = await fetch(`http://127.0.0.1:${general.webPort}/api/admin/bans`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(await res.json()).toEqual([expect.objectContaining({ key: '127.0.0.2', reason: `${threshold} refused authorizations within 60 s` })]);
    const again = await TestClient.open(general.stratumPort, '127.0.0.1', '127.0.0.2');
    again.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: [`tGXC${'x'.padEnd(30, '0')}`, 'x'] });
    await again.closed;
    expect(again.received).toEqual([]);
    // A clean Ethash miner from another address still logs in.
    const clean = await TestClient.open(general.stratumPort, '127.0.0.1', '127.0.0.3');
    clean.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: [`tGXC${'clean'.padEnd(30, '0')}`, 'x'], worker: 'rig' });
    expect(await clean.reply(1)).toMatchObject({ result: true, error: null });
    clean.close();
  });
});
