import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { storeSuite } from './suite.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-sqlite-suite-'));
let n = 0;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

storeSuite({
  name: 'sqlite',
  // One better-sqlite3 connection runs one transaction at a time; several processes share a file through its
  // lock, but two Store objects in one process would block each other's event loop, so races use one object.
  concurrentPeers: false,
  async createDatabase() {
    const file = path.join(root, `db-${++n}`, 'pool.db');
    return {
      open: (options) => createSqliteStore(file, options),
      drop: async () => fs.rmSync(path.dirname(file), { recursive: true, force: true }),
    };
  },
});
