/**
 * SIGHUP and SIGTERM on the real CLI (`gxc-pool start` as a child process, SQLite, a devnet in this process), over
 * real sockets: a reload changes limits and payout settings without dropping the connected miner and refuses a bad
 * file with the start's own message; a SIGTERM under share load sends `client.reconnect`, answers the shares in
 * flight, stores every acknowledged share and exits 0 within its bound.
 */
import fs from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { freePort, regtestAddress, until } from './fixtures/env.js';
import { startPoolChild, type PoolChild } from './fixtures/pool-child.js';
import { RawMiner } from './fixtures/raw-miner.js';
import { makeCertificate, TlsLineClient } from '../helpers/tls.js';

const SHARE_DIFFICULTY = 1e-9;
const RESET_ABOVE = 1e-7;

let dir: string;
let devnet: RunningDevnet;
let poolAddress: string;
const children: PoolChild[] = [];
const configFile = (): string => path.join(dir, 'pool.json');
const dbPath = (): string => path.join(dir, 'pool.db');

function writeConfig(extra: Record<string, unknown>): void {
  fs.writeFileSync(configFile(), JSON.stringify(extra));
}

function childArgs(stratumPort: number, webPort: number): string[] {
  return [
    ...['--config', configFile(), '--node-url', devnet.url, '--chain', 'bitcoin', '--network', 'regtest'],
    ...['--pool-address', poolAddress, '--pool', 'general', '--db', `sqlite:${dbPath()}`, '--data-dir', dir],
    ...['--difficulty', String(SHARE_DIFFICULTY), '--stratum-host', '127.0.0.1', '--stratum-port', String(stratumPort)],
    ...['--web-host', '127.0.0.1', '--web-port', String(webPort)],
  ];
}

async function startChild(): Promise<PoolChild> {
  const child = await startPoolChild(childArgs(await freePort(), await freePort()));
  children.push(child);
  return child;
}

/** Whether a fresh connection is closed by the server without any answer to its subscribe. */
function refusedConnection(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('{"id":1,"method":"mining.subscribe","params":[]}\n'));
    let answered = false;
    socket.on('data', () => {
      answered = true;
      socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(!answered));
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

async function submitOk(m: RawMiner): Promise<string> {
  if (m.latest!.difficulty > RESET_ABOVE) await m.suggestDifficulty(SHARE_DIFFICULTY, 5000);
  const r = await m.submit('share', 5000);
  expect(r.error).toBeNull();
  return r.hash;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-lifecycle-'));
  devnet = await startDevnet({ autoTransactions: 0 });
  const rpc = createRpcClient({ url: devnet.url, jsonrpc: '1.0' });
  try {
    poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
  } finally {
    rpc.close();
  }
}, 30_000);

afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  }
  await devnet?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('signals on a running pool', () => {
  it('SIGHUP applies new limits and payout settings without dropping miners, and refuses a bad config keeping the old', async () => {
    writeConfig({ stratum: { maxConnectionsPerIp: 10 } });
    const pool = await startChild();
    const miner = await RawMiner.open(pool.stratumPort, `${regtestAddress('hup miner')}.rig`);
    await submitOk(miner);

    writeConfig({ stratum: { maxConnectionsPerIp: 1 }, payouts: { fee: 3 }, poolTag: '/other/' });
    pool.process.kill('SIGHUP');
    await until('the reload', 10_000, () => pool.output().includes('"event":"reloaded"'));
    expect(pool.output()).toMatch(/"event":"reloaded","applied":\["payouts.fee","stratum.maxConnectionsPerIp"\],"needsRestart":\["poolTag"\]/);
    expect(pool.output()).toContain('changed settings that need a restart: poolTag');
    // The miner connected before is kept and served; a second connection from its address is over the new cap.
    expect(miner.closed).toBe(false);
    await submitOk(miner);
    expect(await refusedConnection(pool.stratumPort)).toBe(true);

    writeConfig({ stratum: { maxConnectionsPerIp: 50 }, payouts: { fee: 150 } });
    pool.process.kill('SIGHUP');
    await until('the refusal', 10_000, () => pool.output().includes('"event":"reload_refused"'));
    // The same message as a bad config at start, on stderr.
    expect(pool.output()).toContain('gxc-pool: invalid configuration:\npayouts.fee: expected 0 <= percent < 100, got 150');
    // Still the old limits (cap 1), still serving the miner.
    expect(await refusedConnection(pool.stratumPort)).toBe(true);
    await submitOk(miner);
    miner.close();

    pool.process.kill('SIGTERM');
    expect((await pool.exited).code).toBe(0);
  }, 90_000);

  it('SIGTERM under load: client.reconnect to the same host, every share in flight answered and stored, exit 0 in bound', async () => {
    writeConfig({ stratum: { shutdown: { reconnect: true, reconnectWaitSeconds: 7, drainSeconds: 10 } } });
    const pool = await startChild();
    const miners = await Promise.all([0, 1, 2, 3].map((i) => RawMiner.open(pool.stratumPort, `${regtestAddress(`term miner ${i}`)}.rig${i}`)));
    const acknowledged: string[] = [];
    const refused: unknown[] = [];
    const load = Promise.all(
      miners.map(async (m) => {
        for (let n = 0; n < 5000 && !m.closed; n++) {
          if (m.latest!.difficulty > RESET_ABOVE) await m.suggestDifficulty(SHARE_DIFFICULTY, 5000).catch(() => undefined);
          if (m.closed) break;
          const r = await m.submit('share', 15_000).catch(() => null);
          if (r === null) break;
          if (r.accepted) acknowledged.push(r.hash);
          else if (JSON.stringify(r.error) !== JSON.stringify([-1, 'connection closed', null])) refused.push(r.error);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    await until('shares flowing', 15_000, () => acknowledged.length >= 20);
    const t0 = Date.now();
    pool.process.kill('SIGTERM');
    const exit = await pool.exited;
    const elapsed = Date.now() - t0;
    await load;

    expect(exit.code, pool.output().slice(-3000)).toBe(0);
    expect(elapsed).toBeLessThan(30_000); // drainSeconds 10 + 20 s close bound
    for (const m of miners) {
      expect(m.otherNotifications).toContainEqual({ id: null, method: 'client.reconnect', params: ['127.0.0.1', pool.stratumPort, 7] });
    }
    expect(refused).toEqual([]);
    expect(pool.output()).toMatch(/"event":"stopped","sessions":4,"reconnected":4,"allAnswered":true/);

    const db = new Database(dbPath(), { readonly: true, fileMustExist: true });
    try {
      const stored = new Set((db.prepare('SELECT hash FROM shares').all() as { hash: string }[]).map((r) => r.hash));
      const missing = acknowledged.filter((h) => !stored.has(h));
      expect(missing, `${missing.length} of ${acknowledged.length} acknowledged shares lost`).toEqual([]);
    } finally {
      db.close();
    }
  }, 90_000);

  it('stratum+ssl: SIGHUP switches the certificate files for new handshakes, keeps TLS miners, refuses a bad file', async () => {
    const live = { certFile: path.join(dir, 'live.crt'), keyFile: path.join(dir, 'live.key') };
    const first = makeCertificate(dir, 'first');
    const second = makeCertificate(dir, 'second');
    fs.copyFileSync(first.certFile, live.certFile);
    fs.copyFileSync(first.keyFile, live.keyFile);
    const tlsPort = await freePort();
    writeConfig({ stratum: { tls: { ...live, ports: { general: tlsPort } } } });
    const pool = await startChild();
    expect(pool.output()).toContain(`stratum+ssl://127.0.0.1:${tlsPort}`);

    const miner = await TlsLineClient.open(tlsPort, first.cert);
    expect(miner.peerName()).toBe('first');
    expect((await miner.call(1, 'mining.subscribe', ['tls/1'])).error).toBeNull();
    expect((await miner.call(2, 'mining.authorize', [`${regtestAddress('tls miner')}.rig`, 'x'])).result).toBe(true);

    // A renewed certificate at the same paths.
    fs.copyFileSync(second.certFile, live.certFile);
    fs.copyFileSync(second.keyFile, live.keyFile);
    pool.process.kill('SIGHUP');
    await until('the reload', 10_000, () => pool.output().includes('tls certificate reloaded'));
    const renewed = await TlsLineClient.open(tlsPort, second.cert);
    expect(renewed.peerName()).toBe('second');
    renewed.close();
    expect(miner.closed).toBe(false);
    expect((await miner.call(3, 'mining.suggest_difficulty', [1])).result).toBe(true);

    // A broken file is refused with a precise message; the certificate in use stays.
    fs.writeFileSync(live.certFile, 'not a certificate');
    pool.process.kill('SIGHUP');
    await until('the refusal', 10_000, () => pool.output().includes('"event":"reload_refused"'));
    expect(pool.output()).toContain(`stratum.tls.certFile: ${live.certFile} is not a PEM file`);
    const still = await TlsLineClient.open(tlsPort, second.cert);
    expect(still.peerName()).toBe('second');
    still.close();
    miner.close();
    pool.process.kill('SIGTERM');
    expect((await pool.exited).code).toBe(0);

    // At start, the same bad file stops the pool with the same message (exit 2, like any bad setting).
    await expect(startPoolChild(childArgs(await freePort(), await freePort()))).rejects.toThrow(
      new RegExp(`code 2[\\s\\S]*stratum\\.tls\\.certFile: ${live.certFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a PEM file`),
    );
  }, 90_000);
});
