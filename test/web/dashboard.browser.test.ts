/**
 * The dashboard as a person sees it, in Debian's Chromium (playwright-core), against a real pool process on the
 * embedded GXC devnet with the built-in CPU miner mining on it: the chart moves without a reload, the miner's
 * worker shows online, a block found in this run changes status live, the copy button copies the stratum URL,
 * the pool switcher reaches another pool; no console error, no request leaves 127.0.0.1. Screenshots of every
 * page at desktop and phone width go to test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PoolProcess, startPoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { type MinerHandle, startMiner } from '../../src/miner/index.js';
import { buildWeb } from '../../src/web/build.js';
import { until } from '../e2e/fixtures/env.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';
const SHOTS = path.resolve('test-artifacts', 'screenshots');
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

describe('dashboard in Chromium on a mining devnet pool', () => {
  let app: PoolProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let miner: MinerHandle;
  let dataDir: string;
  let base: string;
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  const pool = (name: string) => app.pools.find((p) => p.settings.name === name)!;

  /** Records what every page of a context asks for and complains about. */
  const watch = (ctx: BrowserContext): void => {
    ctx.on('request', (r) => requests.push(r.url()));
    ctx.on('page', (p) => {
      p.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${p.url()}: ${m.text()}`));
      p.on('pageerror', (err) => consoleErrors.push(`${p.url()}: ${err.message}`));
    });
  };

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (.ci/run does)`);
    fs.mkdirSync(SHOTS, { recursive: true });
    // The pages under test are today's sources, not a bundle left from an earlier build.
    await buildWeb();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-dashboard-'));
    // GXC difficulty 5 (leading hex zeros): a block per ~1M hashes, so one CPU thread finds several in a minute.
    const cfg = loadConfig({ env: {}, flags: { dataDir, logLevel: 'silent', devnetFlavor: 'gxc', devnetDifficulty: '5', difficulty: '0.00002' } });
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger, ledger: { tickMs: 1000 } });
    base = `http://127.0.0.1:${pool('asic').webPort}`;
    miner = startMiner({ url: `stratum+tcp://127.0.0.1:${pool('asic').stratumPort}`, user: `${ADDRESS}.rig1`, threads: 2 });
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
    context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    watch(context);
    page = await context.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await miner?.stop();
    await app?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('overview: the 24 h chart has points and moves without a reload; share counters grow', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(/#\/asic\/overview$/);
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toBe('asic pool');
    // A marker that a reload would wipe.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const chart = page.locator('#hashrate-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThanOrEqual(60);
    await expect(page.locator('#hashrate-chart canvas').count()).resolves.toBeGreaterThan(0);
    const firstT = Number(await chart.getAttribute('data-last-t'));
    await until('miner shares', 45_000, () => miner.stats().accepted >= 2);
    const shares = async () => Number(((await page.locator('#accepted-shares').textContent()) ?? '0').replace(/,/g, ''));
    await expect.poll(shares, { timeout: 30_000 }).toBeGreaterThan(0);
    const sharesBefore = await shares();
    await expect.poll(async () => Number(await chart.getAttribute('data-last-t')), { timeout: 30_000 }).toBeGreaterThan(firstT);
    await expect.poll(shares, { timeout: 45_000 }).toBeGreaterThan(sharesBefore);
    await expect.poll(() => page.locator('[data-testid=pool-hashrate] .stat-value').textContent(), { timeout: 30_000 }).not.toBe('0 H/s');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect(page.locator('#live-state').getAttribute('data-state')).resolves.toBe('live');
    await page.screenshot({ path: path.join(SHOTS, 'overview-desktop.png'), fullPage: true });
  }, 120_000);

  it('search: typing the payout address opens its page with the worker online and its best share', async () => {
    await page.fill('#miner-search', ADDRESS);
    await page.press('#miner-search', 'Enter');
    await page.waitForURL(new RegExp(`#/asic/miner/${ADDRESS}$`));
    const worker = page.locator('#workers tr[data-worker="rig1"]');
    await expect.poll(() => worker.getAttribute('data-online'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => page.locator('#miner-best-share').textContent(), { timeout: 30_000 }).not.toBe('—');
    // The worker's share counter grows while the page stays open.
    const accepted = async () => Number(((await worker.locator('td.accepted').textContent()) ?? '0').replace(/,/g, ''));
    const before = await accepted();
    await expect.poll(accepted, { timeout: 60_000 }).toBeGreaterThan(before);
    expect(await worker.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await page.screenshot({ path: path.join(SHOTS, 'miner-desktop.png'), fullPage: true });
  }, 60_000);

  it('blocks: a block found in this run shows, and its status changes without a reload', async () => {
    const found = await until('a block found by the pool', 90_000, async () => (await app.store.store.recentBlocks('asic', 50)).at(-1));
    await page.click('nav a:text-is("Blocks")');
    await page.waitForURL(/#\/asic\/blocks$/);
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const row = page.locator(`tr[data-block-hash="${found.hash}"]`);
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    const first = (await row.getAttribute('data-status')) ?? '';
    const seen = new Set([first]);
    // pending → immature (on the main chain) → confirmed (6 confirmations on the GXC devnet), as the ledger ticks;
    // six more devnet blocks take a while on a busy 2-core machine.
    await expect
      .poll(
        async () => {
          seen.add((await row.getAttribute('data-status')) ?? '');
          return seen.has('confirmed');
        },
        { timeout: 240_000, interval: 500 },
      )
      .toBe(true);
    expect(seen.size, `statuses seen: ${[...seen].join(', ')}`).toBeGreaterThan(1);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'blocks-desktop.png'), fullPage: true });
    await row.locator('a', { hasText: 'split' }).click();
    await expect.poll(() => page.locator('#block-rewards td a').first().textContent(), { timeout: 20_000 }).toBe(ADDRESS);
    await page.screenshot({ path: path.join(SHOTS, 'block-desktop.png'), fullPage: true });
  }, 330_000);

  it('connect: the copy button puts the stratum URL on the clipboard', async () => {
    await page.click('nav a:text-is("Connect")');
    const url = `stratum+tcp://127.0.0.1:${pool('asic').stratumPort}`;
    const box = page.locator('#connect-asic');
    await expect(box.locator('[data-testid=stratum-url]').textContent()).resolves.toBe(url);
    await box.locator('[data-testid=stratum-url-copy]').click();
    await expect.poll(() => box.locator('[data-testid=stratum-url-copy]').textContent()).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    expect(await box.textContent()).toContain(`cgminer -o ${url} -u YOUR_ADDRESS.rig1 -p x`);
    await page.screenshot({ path: path.join(SHOTS, 'connect-desktop.png'), fullPage: true });
  });

  it('the pool switcher opens the general pool on the same web port', async () => {
    await page.selectOption('#pool-switcher', 'general');
    await page.waitForURL(/#\/general\/connect$/);
    await expect
      .poll(() => page.locator('#connect-general [data-testid=stratum-url]').textContent())
      .toBe(`stratum+tcp://127.0.0.1:${pool('general').stratumPort}`);
    await page.click('nav a:text-is("Overview")');
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toBe('general pool');
    expect(new URL(page.url()).port).toBe(String(pool('asic').webPort));
  });

  it('every page renders at desktop and phone width (screenshots)', async () => {
    const asicPages = ['overview', 'connect', `miner/${ADDRESS}`, 'blocks', 'payments', 'top', 'network', 'faq'];
    // The Ethash pool has no payouts here and no work on this devnet: its pages must still read well.
    const pages = [...asicPages.map((name) => `asic/${name}`), 'gpu/overview', 'gpu/faq'];
    for (const [label, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const ctx = await browser.newContext({ viewport, isMobile: label === 'phone', hasTouch: label === 'phone' });
      watch(ctx);
      const p = await ctx.newPage();
      if (label === 'phone') {
        // The navigation folds behind the menu button on a phone.
        await p.goto(`${base}/#/asic/overview`);
        await expect(p.locator('nav.nav').isVisible()).resolves.toBe(false);
        await p.click('.menu-button');
        await expect(p.locator('nav.nav').isVisible()).resolves.toBe(true);
        await p.click('nav a:text-is("Payments")');
        await p.waitForURL(/#\/asic\/payments$/);
      }
      for (const name of pages) {
        const [poolName, pageName] = name.split('/') as [string, string];
        await p.goto(`${base}/#/${name}`);
        await p.waitForSelector(`main[data-page="${pageName}"][data-pool="${poolName}"]`);
        // Loaded: no "Loading" left and every table filled.
        await p.waitForLoadState('networkidle').catch(() => undefined);
        await p.waitForTimeout(800);
        await expect(p.locator('.notice.error').count(), `${name} shows an error`).resolves.toBe(0);
        // Nothing wider than the screen on a phone: tables scroll inside their box instead.
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} overflows the ${label} width`).toBeLessThanOrEqual(1);
        const file = poolName === 'asic' ? `${pageName}-${label}.png` : `${poolName}-${pageName}-${label}.png`;
        await p.screenshot({ path: path.join(SHOTS, file), fullPage: true });
      }
      await ctx.close();
    }
    const dark = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
    watch(dark);
    const p = await dark.newPage();
    await p.goto(`${base}/#/asic/overview`);
    await expect.poll(async () => Number(await p.locator('#hashrate-chart').getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(0);
    await p.waitForTimeout(1500);
    expect(await p.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(246, 247, 249)');
    await p.screenshot({ path: path.join(SHOTS, 'overview-dark-desktop.png'), fullPage: true });
    await dark.close();
  }, 180_000);

  it('an address the pool never saw, and an invalid one, get a clear message', async () => {
    // Not watched: the browser logs the 404/400 answers themselves as console errors, which is what they are.
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const p = await ctx.newPage();
    try {
      await p.goto(`${base}/#/asic/overview`);
      await p.fill('#miner-search', 'tGXCnobodyMinesWithThisAddress1');
      await p.press('#miner-search', 'Enter');
      await expect
        .poll(() => p.locator('#miner-unseen').textContent(), { timeout: 20_000 })
        .toContain('No share from tGXCnobodyMinesWithThisAddress1');
      await p.fill('#miner-search', 'not-an-address');
      await p.press('#miner-search', 'Enter');
      await expect.poll(() => p.locator('.notice.error').textContent(), { timeout: 20_000 }).toMatch(/Could not load not-an-address: .*address/);
    } finally {
      await ctx.close();
    }
  });

  it('had no console error and made no request outside 127.0.0.1', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.filter((u) => !u.startsWith('http://127.0.0.1:'))).toEqual([]);
  });
});
