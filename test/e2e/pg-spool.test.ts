/**
 * PostgreSQL outage under share load, with real processes: a throwaway PostgreSQL, the real CLI (`gxc-pool
 * start`) as a child on the devnet with that database, and raw Stratum clients that remember every share the pool
 * answered `true` for.
 *  1. The server is stopped (`pg_ctl stop -m fast`) for 10 s under load and started again: every share keeps being
 *     acknowledged (from the fsynced spool journal), the journal is replayed and emptied, and each acknowledged
 *     share is in the database exactly once.
 *  2. The server is stopped again, the pool is killed with SIGKILL while spooling, the server comes back, the pool
 *     is restarted on the same data directory: it replays the journal it finds at start-up, exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { freePort, regtestAddress, until } from './fixtures/env.js';
import { startPoolChild, type PoolChild } from './fixtures/pool-child.js';
import { RawMiner } from './fixtures/raw-miner.js';

const CLIENTS = 3;
const SHARE_DIFFICULTY = 1e-9;
const RESET_ABOVE = 1e-7;
const OUTAGE_MS = 10_000;

let dir: string;
let devnet: RunningDevnet;
let server: TestPostgres | undefined;
let dbUrl: string;
let poolAddress: string;
let child: PoolChild | null = null;
const journal = (): string => path.join(dir, 'pg-spool.journal');

async function startChild(): Promise<PoolChild> {
  for (let attempt = 1; ; attempt++) {
    const [stratumPort, webPort] = [await freePort(), await freePort()];
    try {
      child = await startPoolChild([
        ...['--node-url', devnet.url, '--chain', 'bitcoin', '--network', 'regtest', '--pool-address', poolAddress, '--pool', 'general'],
        ...['--db', dbUrl, '--data-dir', dir, '--difficulty', String(SHARE_DIFFICULTY)],
        ...['--stratum-host', '127.0.0.1', '--stratum-port', String(stratumPort), '--web-host', '127.0.0.1', '--web-port', String(webPort)],
      ]);
    } catch (err) {
      if (attempt < 3 && String(err).includes('EADDRINUSE')) continue;
      throw err;
    }
    return child;
  }
}

interface Load {
  acknowledged: string[];
  refused: unknown[];
  /** Ends the load (each client finishes its current share). */
  stop(): void;
  done: Promise<void>;
}

/** Clients submitting shares until stop() or their connection dies; bounded by count and time. */
async function shareLoad(port: number, label: string, maxMs: number): Promise<Load> {
  const acknowledged: string[] = [];
  const refused: unknown[] = [];
  let stopped = false;
  const deadline = Date.now() + maxMs;
  const miners = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => RawMiner.open(port, `${regtestAddress(`spool miner ${i}`)}.${label}${i}`)),
  );
  const done = Promise.all(
    miners.map(async (m) => {
      try {
        for (let n = 0; n < 20_000 && !stopped && !m.closed && Date.now() < deadline; n++) {
          if (m.latest!.difficulty > RESET_ABOVE) await m.suggestDifficulty(SHARE_DIFFICULTY, 5000);
          const r = await m.submit('share', 15_000);
          if (r.accepted) acknowledged.push(r.hash);
          else if (!m.closed) refused.push(r.error);
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        // The pool died under the request: expected once it is killed, a failure before that.
        if (!m.closed) throw err;
      } finally {
        m.close();
      }
    }),
  ).then(() => undefined);
  return { acknowledged, refused, done, stop: () => (stopped = true) };
}

async function countsByHash(): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ hash: string; n: string }>('SELECT hash, COUNT(*) AS n FROM shares GROUP BY hash');
    return new Map(rows.map((r) => [r.hash, Number(r.n)]));
  } finally {
    await client.end();
  }
}

function expectExactlyOnce(counts: Map<string, number>, acknowledged: readonly string[], what: string): void {
  const missing = acknowledged.filter((h) => counts.get(h) === undefined);
  expect(missing, `${what}: ${missing.length} of ${acknowledged.length} acknowledged shares lost`).toEqual([]);
  const doubled = [...counts].filter(([, n]) => n !== 1);
  expect(doubled, `${what}: shares stored more than once`).toEqual([]);
}

const journalSize = (): number => (fs.existsSync(journal()) ? fs.statSync(journal()).size : 0);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-pg-spool-'));
  server = await startTestPostgres();
  dbUrl = (await server.newDatabase()).url;
  devnet = await startDevnet({ autoTransactions: 0 });
  const rpc = createRpcClient({ url: devnet.url, jsonrpc: '1.0' });
  try {
    poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
  } finally {
    rpc.close();
  }
}, 60_000);

afterAll(async () => {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  await devnet?.stop();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('PostgreSQL outage under share load (spool journal)', () => {
  it('acknowledges from the journal while PostgreSQL is down 10 s, replays it once, and survives a SIGKILL while spooling', async () => {
    if (server === undefined) throw new Error('test PostgreSQL did not start');
    let pool = await startChild();

    // --- 1. a 10 s outage under load ---
    const load = await shareLoad(pool.stratumPort, 'a', 60_000);
    await until('shares flowing', 10_000, () => load.acknowledged.length >= 20);
    await server.pause();
    const atStop = load.acknowledged.length;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const duringOutage = load.acknowledged.length - atStop;
    expect(journalSize(), `acks ${atStop} -> ${load.acknowledged.length}\n${pool.output().slice(-3000)}`).toBeGreaterThan(0);
    const health = async () =>
      (await (await fetch(`http://127.0.0.1:${pool.webPort}/api/health`)).json()) as { spool: { depth: number; cause: string | null } | null };
    const down = await health();
    expect(down.spool?.depth).toBeGreaterThan(0);
    expect(down.spool?.cause).toEqual(expect.any(String));
    await server.resume();
    await until('the journal replayed and emptied', 30_000, () => pool.output().includes('"event":"spool_empty"') && journalSize() === 0);
    await new Promise((r) => setTimeout(r, 500)); // a few shares written directly again
    load.stop();
    await load.done;
    expect((await health()).spool).toMatchObject({ depth: 0, cause: null });
    expect(load.refused, 'shares refused during the outage').toEqual([]);
    expect(duringOutage, 'shares acknowledged while PostgreSQL was down').toBeGreaterThan(20);
    const out = pool.output();
    expect(out).toMatch(/"event":"spool_started".*"cause":"[^"]*(ECONNREFUSED|terminat|shutting down|connection error)/);
    expect(out).toMatch(/"event":"spool_replayed"/);
    expectExactlyOnce(await countsByHash(), load.acknowledged, 'outage');

    // --- 2. SIGKILL while spooling, restart after the database is back ---
    const load2 = await shareLoad(pool.stratumPort, 'b', 60_000);
    await until('shares flowing', 10_000, () => load2.acknowledged.length >= 10);
    await server.pause();
    const atStop2 = load2.acknowledged.length;
    await until('shares spooled', 15_000, () => load2.acknowledged.length >= atStop2 + 30).catch((err: unknown) => {
      throw new Error(`${String(err)}; refused ${JSON.stringify(load2.refused.slice(0, 3))}\n${pool.output().slice(-4000)}`);
    });
    pool.process.kill('SIGKILL');
    expect((await pool.exited).signal).toBe('SIGKILL');
    await load2.done;
    expect(load2.refused).toEqual([]);
    expect(journalSize()).toBeGreaterThan(0);
    await server.resume();

    pool = await startChild();
    expect(pool.output()).toMatch(/"event":"spool_found"/);
    expect(pool.output()).toMatch(/"event":"spool_replayed"/);
    expect(pool.output()).toMatch(/"event":"spool_empty"/);
    expect(journalSize()).toBe(0);
    const all = [...load.acknowledged, ...load2.acknowledged];
    const counts = await countsByHash();
    expectExactlyOnce(counts, all, 'after SIGKILL and restart');

    // The restarted pool writes directly again, and stops cleanly.
    const load3 = await shareLoad(pool.stratumPort, 'c', 1500);
    await load3.done;
    expect(load3.refused).toEqual([]);
    expect(load3.acknowledged.length).toBeGreaterThan(0);
    expectExactlyOnce(await countsByHash(), [...all, ...load3.acknowledged], 'after restart');
    expect(pool.output().match(/"event":"spool_started"/g) ?? []).toHaveLength(0);
    pool.process.kill('SIGTERM');
    expect((await pool.exited).code).toBe(0);
  }, 180_000);
});
