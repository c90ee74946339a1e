/** Fixtures and per-test database lifecycle shared by the store suite's parts. */
import { afterEach } from 'vitest';
import type { StoreOptions } from '../../src/store/sql/backend.js';
import type { NewBlock, NewShare, Store } from '../../src/store/types.js';

export interface TestDatabase {
  /** A new Store object on this database (not migrated yet). */
  open(options?: StoreOptions): Store;
  /** Removes the database (all its Store objects are closed first). */
  drop(): Promise<void>;
}

export interface StoreHarness {
  /** Backend name for test titles. */
  name: string;
  createDatabase(): Promise<TestDatabase>;
  /** Whether two Store objects on one database run truly concurrently (PostgreSQL: separate connections). */
  concurrentPeers: boolean;
}

export interface Fresh {
  store: Store;
  /** Another migrated Store object on the same database. */
  peer(options?: StoreOptions): Promise<Store>;
}

/** Gives each test a fresh migrated database and closes/drops everything after it. */
export function useFreshDatabases(harness: StoreHarness): (options?: StoreOptions) => Promise<Fresh> {
  const opened: Store[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const d of databases.splice(0)) await d.drop();
  });
  return async (options) => {
    const db = await harness.createDatabase();
    databases.push(db);
    const open = async (o?: StoreOptions): Promise<Store> => {
      const s = db.open(o);
      opened.push(s);
      await s.migrate();
      return s;
    };
    return { store: await open(options), peer: open };
  };
}

/** A clock tests move by hand (leases, heartbeats). */
export class ManualClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

let hashCounter = 0;

export function share(overrides: Partial<NewShare> = {}): NewShare {
  hashCounter += 1;
  return {
    pool: 'asic',
    instanceId: 0,
    address: 'addrA',
    worker: 'rig1',
    jobId: 'j1',
    height: 100,
    difficulty: 1,
    networkDifficulty: 1000,
    actualDifficulty: 2.5,
    hash: hashCounter.toString(16).padStart(64, '0'),
    isBlock: false,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function block(overrides: Partial<NewBlock> = {}): NewBlock {
  return {
    pool: 'asic',
    chain: 'bitcoin-regtest',
    height: 101,
    hash: 'aa'.repeat(32),
    prevHash: 'bb'.repeat(32),
    headerHex: '00'.repeat(80),
    submission: 'deadbeef',
    address: 'addrA',
    worker: 'rig1',
    reward: 5_000_000_000n,
    networkDifficulty: 1000,
    shareId: null,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}
