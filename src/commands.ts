/** The CLI's commands other than `start` (kept apart so main.ts stays a readable list of commands). */
import http from 'node:http';
import type { Config } from './config/schema.js';
import { storeUrl } from './config/load.js';
import { startAnyDevnet } from './devnet/index.js';
import { createLogger } from './log/logger.js';
import { runEthashMinerCli, runMinerCli } from './miner/cli.js';
import { ETHASH_CLIENT_DIALECTS, type EthashClientDialect } from './miner/ethash-dialects.js';
import { createStore } from './store/index.js';

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function runDevnetCommand(opts: {
  flavor: 'gxc' | 'bitcoin';
  host: string;
  port: string;
  dataDir?: string;
  walletAddress?: string[];
}): Promise<void> {
  const logger = createLogger({ name: 'gxc-devnet' });
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0..65535, got ${JSON.stringify(opts.port)}`);
  const devnet = await startAnyDevnet({
    flavor: opts.flavor,
    host: opts.host,
    port,
    dataDir: opts.dataDir,
    walletAddresses: opts.walletAddress ?? [],
    logger,
  });
  logger.info({ event: 'devnet_listening', flavor: opts.flavor, url: devnet.url }, `devnet (${opts.flavor}) RPC at ${devnet.url}`);
  const signal = await waitForSignal();
  logger.info({ event: 'shutdown', signal }, 'devnet stopping');
  await devnet.stop();
}

export async function runMinerCommand(opts: {
  url: string;
  user: string;
  password: string;
  threads: string;
  suggestDifficulty?: string;
  versionRolling?: boolean;
  algo?: string;
  dialect?: string;
}): Promise<void> {
  const threads = Number(opts.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new Error(`--threads: expected 1..256, got ${JSON.stringify(opts.threads)}`);
  const algo = opts.algo ?? 'sha256d';
  if (algo !== 'sha256d' && algo !== 'ethash') throw new Error(`--algo: expected sha256d or ethash, got ${JSON.stringify(opts.algo)}`);
  if (algo === 'ethash') {
    const dialect = (opts.dialect ?? 'ethstratum') as EthashClientDialect;
    if (!ETHASH_CLIENT_DIALECTS.includes(dialect)) {
      throw new Error(`--dialect: expected ${ETHASH_CLIENT_DIALECTS.join(', ')}, got ${JSON.stringify(opts.dialect)}`);
    }
    if (threads > 64) throw new Error(`--threads: the Ethash miner takes 1..64, got ${threads}`);
    runEthashMinerCli({ url: opts.url, user: opts.user, password: opts.password, threads, dialect });
    return;
  }
  if (opts.dialect !== undefined) throw new Error('--dialect applies to --algo ethash only');
  const suggest = opts.suggestDifficulty === undefined ? undefined : Number(opts.suggestDifficulty);
  if (suggest !== undefined && !(suggest > 0))
    throw new Error(`--suggest-difficulty: expected a number > 0, got ${JSON.stringify(opts.suggestDifficulty)}`);
  await runMinerCli({
    url: opts.url,
    user: opts.user,
    password: opts.password,
    threads,
    suggestDifficulty: suggest,
    versionRolling: opts.versionRolling === true,
  });
}

export async function runMigrateCommand(cfg: Config): Promise<void> {
  const logger = createLogger({ level: cfg.log.level });
  const store = await createStore(storeUrl(cfg));
  try {
    await store.migrate();
    logger.info({ event: 'migrated', store: store.description }, `schema of ${store.description} is up to date`);
  } finally {
    await store.close();
  }
}

/**
 * POSTs to the pool's blocknotify hook. node:http, not fetch(): fetch refuses port 6000 (X11 is on the WHATWG
 * "bad ports" list) and 6000 is the general pool's seed web port.
 */
export async function runBlocknotifyCommand(webUrl: string, blockhash: string | undefined): Promise<void> {
  const url = new URL('/api/blocknotify', webUrl);
  if (url.protocol !== 'http:') throw new Error(`--web-url must be an http:// URL, got ${webUrl}`);
  const body = JSON.stringify({ blockhash: blockhash ?? null });
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (err) => reject(new Error(`cannot reach the pool at ${url.href}: ${err.message}`)));
    req.end(body);
  });
  if (status !== 200) throw new Error(`pool answered HTTP ${status} at ${url.href}: ${text.slice(0, 200)}`);
  process.stdout.write(`${text}\n`);
}

/** `gxc-pool payouts --dry-run`: what the next payout run would pay, per pool, and why; writes nothing. */
export async function runPayoutsCommand(cfg: Config, opts: { dryRun: boolean }): Promise<void> {
  if (!opts.dryRun) throw new Error('payouts are sent by the running pool every --payout-interval seconds; use --dry-run to see what it would pay');
  if (!cfg.node.url) {
    throw new Error('payouts --dry-run needs the node the pool pays from: pass --node-url (the embedded devnet only lives inside `gxc-pool start`)');
  }
  const logger = createLogger({ level: cfg.log.level === 'info' ? 'warn' : cfg.log.level });
  const { connectNode } = await import('./node.js');
  const { createLedgerScheme } = await import('./app.js');
  const { startLedger } = await import('./ledger/index.js');
  const { coinsToUnits, unitsToCoinString } = await import('./core/amount.js');
  const { selectPools } = await import('./config/load.js');
  const node = await connectNode(cfg, logger);
  const store = await createStore(storeUrl(cfg));
  try {
    await store.migrate();
    for (const pool of selectPools(cfg, { devnet: false })) {
      if (!pool.algorithms.includes('sha256d')) continue;
      const ledger = startLedger({
        store,
        chain: node.chain,
        pool: pool.name,
        scheme: createLedgerScheme(cfg, node.poolAddress),
        minPayout: coinsToUnits(cfg.payouts.minPayout),
        autoStart: false,
        logger,
      });
      const plan = await ledger.dryRun();
      await ledger.stop();
      process.stdout.write(
        `== ${pool.name} pool: would pay ${unitsToCoinString(plan.total)} ${node.chain.coinSymbol} to ${plan.payouts.length} address(es)\n`,
      );
      for (const p of plan.payouts) process.stdout.write(`  pay  ${p.address}  ${unitsToCoinString(p.amount)}  (${p.reason})\n`);
      for (const s of plan.skipped)
        process.stdout.write(
          `  skip ${s.address}  confirmed ${unitsToCoinString(s.confirmed)}, immature ${unitsToCoinString(s.immature)}  (${s.reason})\n`,
        );
      if (plan.walletNote) process.stdout.write(`  wallet: ${plan.walletNote}\n`);
    }
  } finally {
    await store.close();
    await node.stop();
  }
}
