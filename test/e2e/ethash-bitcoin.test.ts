/** With a Bitcoin node there are no Ethash blocks: the gpu pool says so on /api/health instead of pretending. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';

let app: PoolProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-e2e-ethash-btc-'));
  const cfg = loadConfig({ env: {}, flags: { devnetFlavor: 'bitcoin', dataDir, logLevel: 'silent', pool: 'gpu' } });
  app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger, ledger: { autoStart: false } });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('gpu pool on a Bitcoin node', () => {
  it('reports ok: false with the reason, and has no Ethash side', async () => {
    expect(app.chain.ethash).toBeUndefined();
    const gpu = app.pools[0]!;
    expect(gpu.settings.name).toBe('gpu');
    expect(gpu.ethash).toBeNull();
    const health = (await (await fetch(`http://127.0.0.1:${gpu.webPort}/api/health`)).json()) as { ok: boolean; node_error: string | null };
    expect(health.ok).toBe(false);
    expect(health.node_error).toMatch(/Ethash mining needs a GXC node.*bitcoin/);
  });
});
