import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';

const child = fileURLToPath(new URL('./fixtures/share-writer-child.ts', import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-sqlite-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('sqlite store on disk', () => {
  it('uses WAL and records numbered migrations once', async () => {
    const file = path.join(tempDir(), 'nested', 'pool.db');
    const store = createSqliteStore(file);
    await store.migrate();
    await store.migrate();
    await store.close();
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const rows = raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual([
        { version: 1, name: 'shares and blocks' },
        { version: 2, name: 'instances and leases' },
        { version: 3, name: 'balance ledger and payments' },
        { version: 4, name: 'time series' },
        { version: 5, name: 'block re-credit generations' },
      ]);
    } finally {
      raw.close();
    }
  });

  it('keeps every share acknowledged before a kill -9', async () => {
    const file = path.join(tempDir(), 'pool.db');
    const proc = spawn(process.execPath, ['--import', 'tsx', child, `sqlite:${file}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged = new Map<number, string>();
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child produced too few acks: ${acknowledged.size}\n${stderr}`)), 20_000);
      let buffered = '';
      proc.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const [id, worker] = line.split(' ');
          if (worker !== undefined) acknowledged.set(Number(id), worker);
        }
        if (acknowledged.size >= 300) {
          clearTimeout(timer);
          proc.kill('SIGKILL');
          resolve();
        }
      });
      proc.on('exit', () => {
        clearTimeout(timer);
        if (acknowledged.size < 300) reject(new Error(`child exited early\n${stderr}`));
      });
    });
    expect(await exited).toBe('SIGKILL');

    const store = await createStore(`sqlite:${file}`);
    try {
      const maxId = Math.max(...acknowledged.keys());
      const stored = new Map((await store.sharesBackFrom('asic', maxId, 100_000)).map((s) => [s.id, s.worker]));
      for (const [id, worker] of acknowledged) expect(stored.get(id)).toBe(worker);
    } finally {
      await store.close();
    }
  }, 30_000);
});
