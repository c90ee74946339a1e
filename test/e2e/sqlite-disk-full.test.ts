/**
 * SQLite on a full filesystem, with the real CLI as a child process: the database lives on a small tmpfs (mounted
 * by the test; needs root, as the PostgreSQL tests need the server binaries). While the filesystem is full every
 * share is answered with error 20 ("could not be stored"), never `true`; when space returns, shares are accepted
 * again without a restart; the database passes integrity_check and holds every acknowledged share.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { freePort, regtestAddress } from './fixtures/env.js';
import { startPoolChild, type PoolChild } from './fixtures/pool-child.js';
import { RawMiner } from './fixtures/raw-miner.js';

const SHARE_DIFFICULTY = 1e-9;

let dir: string;
let mnt: string;
let mounted = false;
let devnet: RunningDevnet;
let child: PoolChild | null = null;

/** Fills the filesystem at `at` until ENOSPC; returns the filler's path. */
function fill(at: string): string {
  const filler = path.join(at, 'filler');
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 0x5a);
  try {
    for (let i = 0; i < 100_000; i++) fs.writeSync(fd, block);
    throw new Error('the tmpfs never filled up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // Byte-sized writes take the last partial block.
  try {
    for (let i = 0; i < 70_000; i++) fs.writeSync(fd, block.subarray(0, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-diskfull-'));
  mnt = path.join(dir, 'mnt');
  fs.mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'pipe', timeout: 10_000 });
    mounted = true;
  } catch (err) {
    throw new Error(`cannot mount a tmpfs for the disk-full test (run the tests as root): ${(err as Error).message}`);
  }
  devnet = await startDevnet({ autoTransactions: 0 });
}, 30_000);

afterAll(async () => {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  await devnet?.stop();
  if (mounted) execFileSync('umount', ['-l', mnt], { stdio: 'ignore', timeout: 10_000 });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('SQLite on a full filesystem', () => {
  it('answers error 20 (never a false accept) while full, resumes when space returns, no corruption', async () => {
    const rpc = createRpcClient({ url: devnet.url, jsonrpc: '1.0' });
    const poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
    rpc.close();
    const dbPath = path.join(mnt, 'pool.db');
    child = await startPoolChild([
      ...['--node-url', devnet.url, '--chain', 'bitcoin', '--network', 'regtest', '--pool-address', poolAddress, '--pool', 'general'],
      ...['--db', `sqlite:${dbPath}`, '--data-dir', path.join(dir, 'data'), '--difficulty', String(SHARE_DIFFICULTY)],
      ...[
        '--stratum-host',
        '127.0.0.1',
        '--stratum-port',
        String(await freePort()),
        '--web-host',
        '127.0.0.1',
        '--web-port',
        String(await freePort()),
      ],
    ]);
    const miner = await RawMiner.open(child.stratumPort, `${regtestAddress('disk full miner')}.rig`);
    const acknowledged: string[] = [];
    const submit = async () => {
      if (miner.latest!.difficulty > 1e-7) await miner.suggestDifficulty(SHARE_DIFFICULTY, 5000);
      const r = await miner.submit('share', 10_000);
      if (r.accepted) acknowledged.push(r.hash);
      return r;
    };
    for (let i = 0; i < 20; i++) expect((await submit()).error).toBeNull();

    const filler = fill(mnt);
    // SQLite may still fit a few rows in pages it already has; past that, every share is refused, never acknowledged.
    const whileFull: unknown[] = [];
    for (let i = 0; i < 300; i++) {
      const r = await submit();
      if (!r.accepted) whileFull.push(r.error);
      if (whileFull.length >= 20) break;
    }
    expect(whileFull.length).toBe(20);
    for (const e of whileFull) expect(e).toEqual([20, 'Share could not be stored; it was not credited, please resubmit', null]);
    expect(child.output()).toMatch(/"event":"share_batch_failed".*(full|SQLITE_FULL)/i);
    expect(miner.closed).toBe(false);

    // Space returns: shares are accepted again by the same process, on the same connection.
    fs.rmSync(filler);
    const after: unknown[] = [];
    for (let i = 0; i < 20; i++) after.push((await submit()).error);
    expect(after).toEqual(new Array(20).fill(null));
    miner.close();
    child.process.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);

    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
      const stored = new Set((db.prepare('SELECT hash FROM shares').all() as { hash: string }[]).map((r) => r.hash));
      const missing = acknowledged.filter((h) => !stored.has(h));
      expect(missing, `${missing.length} of ${acknowledged.length} acknowledged shares lost`).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
