/** The web port's status page, as a person sees it in Debian's Chromium (driven by playwright-core). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('status page in Chromium', () => {
  let app: PoolProcess;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-web-'));
    app = await startPoolProcess(loadConfig({ env: {}, flags: { dataDir, logLevel: 'silent', pool: 'asic' } }), {
      ephemeralPorts: true,
      logger: silentLogger,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the pool, its stratum port and the height the API reports', async () => {
    const pool = app.pools[0]!;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${pool.webPort}/`);
    await expect.poll(() => page.locator('h1').textContent()).toContain('asic pool');
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain(`Stratum port ${pool.stratumPort}`);
    const stats = (await (await fetch(`http://127.0.0.1:${pool.webPort}/api/stats`)).json()) as { height: number };
    expect(body).toContain(`Height: ${stats.height}`);
    await page.click('a[href="/api/blocks"]');
    expect(JSON.parse((await page.locator('body').textContent()) ?? 'null')).toEqual([]);
  });
});
