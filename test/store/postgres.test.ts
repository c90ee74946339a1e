import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { storeSuite } from './suite.js';
import { share } from './support.js';

let server: TestPostgres | undefined;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

storeSuite({
  name: 'postgres',
  concurrentPeers: true,
  async createDatabase() {
    if (server === undefined) throw new Error('test PostgreSQL did not start');
    const db = await server.newDatabase();
    return { open: (options) => createPostgresStore(db.url, { ...options, maxConnections: 4 }), drop: db.drop };
  },
});

describe('postgres store specifics', () => {
  it('applies each migration once when several instances start on an empty database at once', async () => {
    if (server === undefined) throw new Error('test PostgreSQL did not start');
    const db = await server.newDatabase();
    const stores = [0, 1, 2, 3].map(() => createPostgresStore(db.url, { maxConnections: 2 }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(rows).toEqual([
          { version: 1, name: 'shares and blocks' },
          { version: 2, name: 'instances and leases' },
          { version: 3, name: 'balance ledger and payments' },
          { version: 4, name: 'time series' },
          { version: 5, name: 'block re-credit generations' },
          { version: 6, name: 'share key for exactly-once spool replay' },
        ]);
        const money = await client.query(
          `SELECT data_type FROM information_schema.columns WHERE table_name = 'ledger_entries' AND column_name = 'amount'`,
        );
        expect(money.rows[0]).toEqual({ data_type: 'bigint' });
      } finally {
        await client.end();
      }
    } finally {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });

  it('writes a large share batch in one statement with ids in input order, beside a concurrent writer', async () => {
    if (server === undefined) throw new Error('test PostgreSQL did not start');
    const db = await server.newDatabase();
    const a = createPostgresStore(db.url);
    const b = createPostgresStore(db.url);
    try {
      await a.migrate();
      const batch = Array.from({ length: 3000 }, (_, i) => share({ worker: `a${i}`, difficulty: 0.001 * (i + 1) }));
      const [idsA, idsB] = await Promise.all([
        a.insertShares(batch),
        b.insertShares(Array.from({ length: 50 }, (_, i) => share({ worker: `b${i}` }))),
      ]);
      expect(idsA).toHaveLength(3000);
      expect(idsA.every((id, i) => i === 0 || id > (idsA[i - 1] as number))).toBe(true);
      const rows = await a.sharesBackFrom('asic', Math.max(...idsA, ...idsB), 10_000);
      const byId = new Map(rows.map((r) => [r.id, r]));
      idsA.forEach((id, i) => {
        expect(byId.get(id)?.worker).toBe(`a${i}`);
      });
      idsB.forEach((id, i) => {
        expect(byId.get(id)?.worker).toBe(`b${i}`);
      });
      expect(byId.get(idsA[2] as number)?.difficulty).toBe(0.003);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
