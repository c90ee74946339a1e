/**
 * No secret reaches a log line or an API answer. A full pool process (the real CLI) runs with a node password in
 * the node URL, a database password in the PostgreSQL URL and an admin token, all from its config file, at debug
 * level. It is driven through a miner session, bad input, every operator endpoint (right and wrong token), a node
 * outage and a refused reload whose bad value is a URL with a password, then stopped. Its stdout, stderr, log
 * file and every API answer are searched for each secret (and for the Basic auth header the node password makes).
 */
import fs from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { freePort, regtestAddress, until } from './fixtures/env.js';
import { startPoolChild, type PoolChild } from './fixtures/pool-child.js';
import { RawMiner } from './fixtures/raw-miner.js';

const NODE_SECRET = 'nodeSecret7f3a9c1e';
const DB_SECRET = 'dbSecret41be0d77';
const ADMIN_TOKEN = 'adminToken9d8c7b6a5f4e3d2c';
const RPC_USER = 'pooluser';

let dir: string;
let pg: TestPostgres;
let devnet: RunningDevnet | null = null;
let child: PoolChild | null = null;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-secrets-'));
  pg = await startTestPostgres();
  devnet = await startDevnet({ autoTransactions: 0, rpcUser: RPC_USER, rpcPassword: NODE_SECRET });
}, 90_000);

afterAll(async () => {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  await devnet?.stop();
  await pg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function api(port: number, route: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return `${res.status} ${await res.text()}`;
}

function rawExchange(port: number, lines: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(lines));
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (got += c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got));
    setTimeout(() => socket.destroy(), 1500).unref();
  });
}

describe('secrets', () => {
  it('never appear in logs (stdout, stderr, log file) or API answers of a full run', async () => {
    const nodeUrl = new URL(devnet!.url);
    nodeUrl.username = RPC_USER;
    nodeUrl.password = NODE_SECRET;
    const db = await pg.newDatabase();
    const dbUrl = db.url.replace('postgres://postgres@', `postgres://postgres:${DB_SECRET}@`);
    expect(dbUrl).toContain(DB_SECRET);
    const rpc = createRpcClient({ url: nodeUrl.href, jsonrpc: '1.0' });
    const poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
    rpc.close();

    const configFile = path.join(dir, 'pool.json');
    const config = { node: { url: nodeUrl.href }, db: dbUrl, web: { adminToken: ADMIN_TOKEN }, poolAddress };
    fs.writeFileSync(configFile, JSON.stringify(config));
    const [stratumPort, webPort] = [await freePort(), await freePort()];
    child = await startPoolChild([
      ...['--config', configFile, '--chain', 'bitcoin', '--network', 'regtest', '--pool', 'general', '--data-dir', dir],
      ...['--difficulty', '1e-9', '--stratum-host', '127.0.0.1', '--stratum-port', String(stratumPort)],
      ...['--web-host', '127.0.0.1', '--web-port', String(webPort), '--log-level', 'debug'],
    ]);
    const answers: string[] = [];

    // A miner, a refused authorization, junk.
    const miner = await RawMiner.open(stratumPort, `${regtestAddress('secret miner')}.rig`);
    expect((await miner.submit('share')).error).toBeNull();
    answers.push(await rawExchange(stratumPort, '{"id":1,"method":"mining.authorize","params":["nonsense.rig","x"]}\n{bad json\n'));

    // Every operator endpoint, with the right token, a wrong one and none; the public ones.
    for (const route of ['/api/stats', '/api/pools', '/api/network', '/api/health', '/api/blocks', '/api/payments', '/api/docs/json']) {
      answers.push(await api(webPort, route));
    }
    for (const token of [ADMIN_TOKEN, 'wrong-token-0123456789', undefined]) {
      for (const route of ['/api/admin/sessions', '/api/admin/rejects', '/api/admin/bans', '/api/admin/node-errors', '/api/admin/payouts/plan']) {
        answers.push(await api(webPort, route, { token }));
      }
    }
    answers.push(
      await api(webPort, '/api/admin/bans', { method: 'POST', token: ADMIN_TOKEN, body: { address: '198.51.100.7', duration_seconds: 60 } }),
    );
    answers.push(await api(webPort, '/api/admin/bans/198.51.100.7', { method: 'DELETE', token: ADMIN_TOKEN }));
    expect(answers.some((a) => a.startsWith('401 '))).toBe(true);
    expect(answers.some((a) => a.startsWith('200 ') && a.includes('198.51.100.7'))).toBe(true);

    // A refused reload whose bad value is a URL with a password.
    fs.writeFileSync(
      configFile,
      JSON.stringify({ ...config, db: `mysql://root:${DB_SECRET}@127.0.0.1/pool`, node: { url: `ftp://u:${NODE_SECRET}@x` } }),
    );
    child.process.kill('SIGHUP');
    await until('the refused reload', 10_000, () => child!.output().includes('"event":"reload_refused"'));

    // The node goes away: its errors are logged and shown to the operator.
    await devnet!.stop();
    devnet = null;
    await until('a node error', 15_000, () => /ECONNREFUSED|node/i.test(child!.output().split('"event":"reload_refused"')[1] ?? ''));
    await new Promise((r) => setTimeout(r, 1500));
    answers.push(await api(webPort, '/api/admin/node-errors', { token: ADMIN_TOKEN }));
    answers.push(await api(webPort, '/api/stats'));
    miner.close();

    child.process.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);

    const logFile = fs.readFileSync(path.join(dir, 'gxc-pool.log'), 'utf8');
    const output = child.output();
    // The runs really happened: the redacted URLs, the refusal, a denied operator request are all logged.
    expect(output).toContain(`${RPC_USER}:***@`);
    expect(output).toContain('postgres:***@');
    expect(output).toContain('mysql://root:***@');
    expect(output).toContain('"event":"admin_denied"');
    expect(logFile.length).toBeGreaterThan(1000);
    const basic = Buffer.from(`${RPC_USER}:${NODE_SECRET}`).toString('base64');
    for (const secret of [NODE_SECRET, DB_SECRET, ADMIN_TOKEN, basic]) {
      expect(output.includes(secret), `stdout/stderr contain ${secret}`).toBe(false);
      expect(logFile.includes(secret), `the log file contains ${secret}`).toBe(false);
      for (const a of answers) expect(a.includes(secret), `an API answer contains ${secret}: ${a.slice(0, 200)}`).toBe(false);
    }
    await db.drop();
  }, 120_000);
});
