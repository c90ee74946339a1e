/**
 * The PostgreSQL spool against a real server that is really stopped (pg_ctl stop -m fast) and started again:
 * shares acknowledged meanwhile come from the fsynced journal, and the replay puts each into the database once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { ShareWriter } from '../../src/store/share-writer.js';
import { SpoolJournal } from '../../src/store/spool/journal.js';
import type { SpoolRecord } from '../../src/store/spool/records.js';
import { ShareSpool, type SpoolTarget } from '../../src/store/spool/spool.js';
import type { Store } from '../../src/store/types.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { block, share } from './support.js';

let server: TestPostgres | undefined;
beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

function capture(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('PostgreSQL spool', () => {
  let dir: string;
  let url: string;
  let drop: () => Promise<void>;
  let store: Store;
  let target: SpoolTarget;
  /** A fresh connection per query: the test's own connections are cut too when the server stops. */
  const sql = {
    async query<R extends pg.QueryResultRow>(text: string): Promise<pg.QueryResult<R>> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query<R>(text);
      } finally {
        await client.end();
      }
    },
  };

  beforeEach(async () => {
    if (server === undefined) throw new Error('test PostgreSQL did not start');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-spool-'));
    const db = await server.newDatabase();
    url = db.url;
    drop = db.drop;
    store = createPostgresStore(url, { maxConnections: 4 });
    await store.migrate();
    const t = store.spoolTarget?.();
    if (t === undefined || t === null) throw new Error('the PostgreSQL store must offer a spool target');
    target = t;
  });
  afterEach(async () => {
    await store.close();
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const countsByHash = async (): Promise<Map<string, number>> => {
    const { rows } = await sql.query<{ hash: string; n: string }>('SELECT hash, COUNT(*) AS n FROM shares GROUP BY hash');
    return new Map(rows.map((r) => [r.hash, Number(r.n)]));
  };

  it('spools while the server is stopped, acknowledges from the journal, replays each share once when it returns', async () => {
    const file = path.join(dir, 'pg-spool.journal');
    const { lines, logger } = capture();
    const opened = await SpoolJournal.open(file);
    const spool = new ShareSpool(opened.journal, target, opened.records, logger);
    const writer = new ShareWriter(store, { maxDelayMs: 2, spool, logger });

    const before = [share({ worker: 'before' })];
    expect(await writer.add(before[0] as (typeof before)[0])).toEqual(expect.any(Number));

    await server?.pause();
    const during = Array.from({ length: 40 }, (_, i) => share({ worker: `during${i}` }));
    const answers = await Promise.all(during.map((s) => writer.add(s)));
    // Acknowledged from the journal: durable there, no id yet.
    expect(answers).toEqual(during.map(() => null));
    expect(spool.state.depth).toBe(40);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(40);
    const foundShare = share({ worker: 'finder', isBlock: true });
    expect(await writer.add(foundShare)).toBeNull();
    expect(await writer.recordBlock(block({ hash: foundShare.hash, height: 555 }), true)).toBeNull();
    expect(lines.find((l) => l.event === 'spool_started')?.cause).toMatch(/ECONNREFUSED|Connection terminated|terminating connection/);

    await server?.resume();
    // While the journal is not empty, new shares follow the old ones into it (order), then all reach the database.
    const after = await writer.add(share({ worker: 'after' }));
    await waitFor('the journal to empty', () => !spool.active && spool.state.journalBytes === 0);
    expect(fs.statSync(file).size).toBe(0);
    const later = await writer.add(share({ worker: 'direct again' }));
    expect(later).toEqual(expect.any(Number));
    void after;

    const counts = await countsByHash();
    for (const s of [...before, ...during, foundShare]) expect(counts.get(s.hash)).toBe(1);
    expect(counts.size).toBe(1 + 40 + 1 + 2);
    // Journal order is id order.
    const { rows } = await sql.query<{ worker: string }>(`SELECT worker FROM shares WHERE worker LIKE 'during%' ORDER BY id`);
    expect(rows.map((r) => r.worker)).toEqual(during.map((s) => s.worker));
    // The block row links to its share's id, looked up by hash at replay.
    const b = await sql.query<{ share_id: string; sid: string; status: string }>(
      `SELECT b.share_id, s.id AS sid, b.status FROM blocks b JOIN shares s ON s.hash = b.hash WHERE b.height = 555`,
    );
    expect(b.rows).toHaveLength(1);
    expect(b.rows[0]?.share_id).toBe(b.rows[0]?.sid);
    expect(b.rows[0]?.status).toBe('candidate');
    expect(lines.some((l) => l.event === 'spool_replayed' && Number(l.shares) > 0)).toBe(true);
    expect(lines.some((l) => l.event === 'spool_empty')).toBe(true);
    expect(writer.stats.spooledShares).toBeGreaterThanOrEqual(41);
    await writer.close();
    await spool.close();
  }, 90_000);

  it('replays a journal again after a crash between the commit and the truncation without counting twice', async () => {
    const file = path.join(dir, 'pg-spool.journal');
    const records: SpoolRecord[] = Array.from({ length: 25 }, (_, i) => ({ kind: 'share', share: share({ worker: `r${i}` }) }));
    const withBlock: SpoolRecord[] = [...records, { kind: 'block', block: block({ hash: 'cd'.repeat(32) }), shareHash: null }];
    const first = await SpoolJournal.open(file);
    await first.journal.append(withBlock);
    // The replay committed, then the process died before truncating: the records are still in the file.
    await target.replay(withBlock);
    await first.journal.close();

    const { lines, logger } = capture();
    const reopened = await SpoolJournal.open(file);
    expect(reopened.records).toEqual(withBlock);
    const spool = new ShareSpool(reopened.journal, target, reopened.records, logger);
    expect(await spool.replayAll()).toBe(true);
    await spool.close();

    const counts = await countsByHash();
    expect([...counts.values()]).toEqual(records.map(() => 1));
    const blocks = await sql.query('SELECT id FROM blocks');
    expect(blocks.rows).toHaveLength(1);
    expect(fs.statSync(file).size).toBe(0);
    expect(lines.map((l) => l.event)).toEqual(['spool_replayed', 'spool_empty']);
  });

  it('a share written directly whose COMMIT answer was lost is not doubled when spooled and replayed', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => share({ worker: `lost${i}` }));
    await store.insertShares(batch);
    await target.replay(batch.map((s) => ({ kind: 'share', share: s })));
    const counts = await countsByHash();
    expect(batch.map((s) => counts.get(s.hash))).toEqual([1, 1, 1, 1, 1]);
  });

  it('records a block row directly when the database is up, and journals it (keeping its share id) when it is not', async () => {
    const opened = await SpoolJournal.open(path.join(dir, 'pg-spool.journal'));
    const spool = new ShareSpool(opened.journal, target, opened.records);
    const writer = new ShareWriter(store, { maxDelayMs: 1, spool });
    const upShare = share({ worker: 'up', isBlock: true });
    const upShareId = await writer.add(upShare);
    expect(await writer.recordBlock(block({ hash: upShare.hash, height: 700, shareId: upShareId }), false)).toEqual(expect.any(Number));

    const downShare = share({ worker: 'down', isBlock: true });
    const downShareId = await writer.add(downShare);
    expect(downShareId).toEqual(expect.any(Number));
    await server?.pause();
    try {
      // The share was stored before the outage; only its block's row meets the dead server.
      expect(await writer.recordBlock(block({ hash: downShare.hash, height: 701, shareId: downShareId }), false)).toBeNull();
      expect(spool.state.depth).toBe(1);
    } finally {
      await server?.resume();
    }
    expect(await spool.replayAll()).toBe(true);
    const { rows } = await sql.query<{ height: string; share_id: string }>('SELECT height, share_id FROM blocks ORDER BY height');
    expect(rows.map((r) => [Number(r.height), Number(r.share_id)])).toEqual([
      [700, upShareId],
      [701, downShareId],
    ]);
    await writer.close();
    await spool.close();
  }, 60_000);

  it('a batch refused for its data is rejected (error to the miner), not spooled', async () => {
    const opened = await SpoolJournal.open(path.join(dir, 'pg-spool.journal'));
    const spool = new ShareSpool(opened.journal, target, opened.records);
    const writer = new ShareWriter(store, { maxDelayMs: 1, spool });
    const s = share({ worker: 'once' });
    expect(await writer.add(s)).toEqual(expect.any(Number));
    // Same (pool, hash) again: a unique violation, a fault in the data, not in the connection.
    await expect(writer.add({ ...s })).rejects.toThrow(/shares_pool_share_key/);
    expect(spool.active).toBe(false);
    expect(writer.stats.spooledShares).toBe(0);
    await writer.close();
    await spool.close();
  });
});
