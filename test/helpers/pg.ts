/**
 * A throwaway PostgreSQL server for tests: initdb into a temp dir, start on 127.0.0.1 with a free port and the
 * unix socket inside that dir, hand back a URL; stop() shuts it down and deletes everything. As root, the server
 * runs as the `postgres` user (initdb refuses root). No binaries = a clear error, never a silent skip: CI installs
 * the package, so the PostgreSQL tests must run.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './net.js';

const run = promisify(execFile);
const SERVICE_USER = 'postgres';
const START_ATTEMPTS = 3;

export interface TestPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** Creates an empty database and returns its URL; drop() removes it (connections are terminated). */
  newDatabase(): Promise<{ url: string; drop(): Promise<void> }>;
  /** Stops the server (`pg_ctl stop -m fast`: connections are terminated), keeping its data: a database outage. */
  pause(): Promise<void>;
  /** Starts the paused server again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** The first directory holding both initdb and pg_ctl: PATH, /usr/local/bin, /usr/lib/postgresql/<newest>/bin. */
export function findPostgresBin(dirs: readonly string[] = postgresBinCandidates()): string {
  for (const dir of dirs) {
    if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error(
    `PostgreSQL server binaries (initdb, pg_ctl) not found in PATH, /usr/local/bin or /usr/lib/postgresql/*/bin: ` +
      `install them (e.g. apt-get install postgresql) to run the PostgreSQL store tests`,
  );
}

export function postgresBinCandidates(): string[] {
  const versioned = fs.existsSync('/usr/lib/postgresql')
    ? fs
        .readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  return [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/local/bin', ...versioned];
}

interface Runner {
  /** Wraps a command so it runs as the service user when we are root. */
  wrap(cmd: string, args: string[]): [string, string[]];
  uid: number;
  gid: number;
}

function runner(): Runner {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args], uid: -1, gid: -1 };
  const uid = Number(execFileSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', SERVICE_USER], { encoding: 'utf8' }).trim());
  try {
    execFileSync('runuser', ['-u', SERVICE_USER, '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
    return { wrap: (cmd, args) => ['runuser', ['-u', SERVICE_USER, '--', cmd, ...args]], uid, gid };
  } catch {
    execFileSync('su', [SERVICE_USER, '-s', '/bin/sh', '-c', 'true'], { stdio: 'ignore', timeout: 5_000 });
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    return { wrap: (cmd, args) => ['su', [SERVICE_USER, '-s', '/bin/sh', '-c', [cmd, ...args].map(quote).join(' ')]], uid, gid };
  }
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  const as = runner();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-pg-'));
  if (as.uid >= 0) fs.chownSync(dir, as.uid, as.gid);
  const data = path.join(dir, 'data');
  const exec = async (cmd: string, args: string[]) => {
    const [c, a] = as.wrap(path.join(bin, cmd), args);
    return run(c, a, { timeout: 60_000 });
  };
  const stopSync = () => {
    try {
      const [c, a] = as.wrap(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      execFileSync(c, a, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // not running
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies without stop() must not leave a server behind.
  process.once('exit', stopSync);

  let port = 0;
  // Durability settings off: a throwaway test server, not the code under test.
  const serverOptions = (p: number) =>
    `-h 127.0.0.1 -p ${p} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
  const startServer = (p: number) =>
    exec('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', '-o', serverOptions(p), 'start']);
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS && port === 0; attempt++) {
      const candidate = await freePort();
      try {
        await startServer(candidate);
        port = candidate;
      } catch (err) {
        lastError = err;
      }
    }
    if (port === 0) {
      const log = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8') : '';
      throw new Error(`PostgreSQL did not start: ${(lastError as Error).message}\n${log}`);
    }
  } catch (err) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw err;
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    async newDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return {
        url: `postgres://postgres@127.0.0.1:${port}/${name}`,
        async drop() {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await c.end();
          }
        },
      };
    },
    async pause() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async resume() {
      await startServer(port);
    },
    async stop() {
      process.removeListener('exit', stopSync);
      try {
        // A server a failed test left paused is simply not running.
        if (fs.existsSync(path.join(data, 'postmaster.pid'))) await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
