/**
 * SQLite schema, as numbered migrations (never edit an applied one: add the next number). Money is INTEGER
 * (64-bit), read back as bigint; times are unix ms. AUTOINCREMENT so ids are never reused (windows and blocks
 * reference share ids).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'shares and blocks',
    sql: `
      CREATE TABLE shares (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pool TEXT NOT NULL,
        instance_id INTEGER NOT NULL,
        address TEXT NOT NULL,
        worker TEXT NOT NULL,
        job_id TEXT NOT NULL,
        height INTEGER NOT NULL,
        difficulty REAL NOT NULL,
        network_difficulty REAL NOT NULL,
        actual_difficulty REAL NOT NULL,
        hash TEXT NOT NULL,
        is_block INTEGER NOT NULL CHECK (is_block IN (0, 1)),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX shares_pool_id ON shares (pool, id);
      CREATE INDEX shares_pool_created ON shares (pool, created_at);
      CREATE TABLE blocks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pool TEXT NOT NULL,
        chain TEXT NOT NULL,
        height INTEGER NOT NULL,
        hash TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        header_hex TEXT NOT NULL,
        submission TEXT NOT NULL,
        address TEXT NOT NULL,
        worker TEXT NOT NULL,
        reward INTEGER NOT NULL CHECK (reward >= 0),
        network_difficulty REAL NOT NULL,
        share_id INTEGER,
        status TEXT NOT NULL CHECK (status IN ('candidate', 'rejected', 'pending', 'immature', 'confirmed', 'orphaned')),
        reason TEXT,
        confirmations INTEGER NOT NULL DEFAULT 0,
        credit_state TEXT NOT NULL DEFAULT 'none' CHECK (credit_state IN ('none', 'credited', 'reversed')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX blocks_pool_id ON blocks (pool, id);
      CREATE INDEX blocks_status ON blocks (status, id);
    `,
  },
  {
    version: 2,
    name: 'instances and leases',
    sql: `
      CREATE TABLE instances (
        id INTEGER PRIMARY KEY CHECK (id BETWEEN 0 AND 255),
        name TEXT NOT NULL,
        token TEXT NOT NULL,
        lease_ms INTEGER NOT NULL,
        registered_at INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL,
        lease_until INTEGER NOT NULL
      );
      CREATE TABLE leases (
        role TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'balance ledger and payments',
    sql: `
      CREATE TABLE block_rewards (
        block_id INTEGER NOT NULL REFERENCES blocks (id),
        address TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        share_difficulty_sum REAL NOT NULL,
        share_count INTEGER NOT NULL,
        PRIMARY KEY (block_id, address)
      );
      CREATE TABLE payments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pool TEXT NOT NULL,
        address TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'confirmed', 'failed')),
        batch_id TEXT NOT NULL,
        txid TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX payments_status ON payments (status, id);
      CREATE INDEX payments_address ON payments (pool, address, id);
      CREATE INDEX payments_batch ON payments (batch_id, id);
      CREATE TABLE ledger_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pool TEXT NOT NULL,
        address TEXT NOT NULL,
        amount INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('credit', 'fee', 'reversal', 'payment', 'payment_refund')),
        block_id INTEGER REFERENCES blocks (id),
        payment_id INTEGER REFERENCES payments (id),
        created_at INTEGER NOT NULL,
        CHECK ((kind IN ('credit', 'fee', 'payment_refund') AND amount > 0) OR (kind IN ('reversal', 'payment') AND amount < 0)),
        CHECK ((kind IN ('credit', 'fee', 'reversal')) = (block_id IS NOT NULL AND payment_id IS NULL)),
        CHECK ((kind IN ('payment', 'payment_refund')) = (payment_id IS NOT NULL AND block_id IS NULL))
      );
      CREATE INDEX ledger_entries_address ON ledger_entries (pool, address);
      CREATE UNIQUE INDEX ledger_entries_block_once ON ledger_entries (block_id, address, kind) WHERE block_id IS NOT NULL;
      CREATE UNIQUE INDEX ledger_entries_payment_once ON ledger_entries (payment_id, kind) WHERE payment_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'time series',
    sql: `
      CREATE TABLE pool_series (
        pool TEXT NOT NULL,
        resolution INTEGER NOT NULL CHECK (resolution IN (60, 3600)),
        t INTEGER NOT NULL,
        difficulty_sum REAL NOT NULL,
        shares INTEGER NOT NULL,
        miners INTEGER NOT NULL,
        workers INTEGER NOT NULL,
        network_difficulty REAL,
        PRIMARY KEY (pool, resolution, t)
      );
      CREATE TABLE worker_series (
        pool TEXT NOT NULL,
        address TEXT NOT NULL,
        worker TEXT NOT NULL,
        resolution INTEGER NOT NULL CHECK (resolution IN (60, 3600)),
        t INTEGER NOT NULL,
        difficulty_sum REAL NOT NULL,
        shares INTEGER NOT NULL,
        PRIMARY KEY (pool, address, worker, resolution, t)
      );
      CREATE INDEX worker_series_prune ON worker_series (pool, resolution, t);
      CREATE INDEX shares_pool_address_created ON shares (pool, address, created_at);
    `,
  },
  {
    version: 5,
    name: 'block re-credit generations',
    // An orphaned block that returns to the main chain is credited again with new entries (the ledger is
    // append-only): each credit/reversal pair of a block carries its generation, and "once" is per generation.
    sql: `
      ALTER TABLE ledger_entries ADD COLUMN credit_generation INTEGER NOT NULL DEFAULT 0;
      DROP INDEX ledger_entries_block_once;
      CREATE UNIQUE INDEX ledger_entries_block_once ON ledger_entries (block_id, credit_generation, address, kind) WHERE block_id IS NOT NULL;
    `,
  },
];
