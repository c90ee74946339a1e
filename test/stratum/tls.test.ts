/** Stratum over TLS with a real node:tls client and openssl-made certificates: the same sessions as plain TCP. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BanRegistry } from '../../src/stratum/bans.js';
import { createStratumServer } from '../../src/stratum/server.js';
import type { StratumServer } from '../../src/stratum/types.js';
import { makeCertificate, type TestCertificate, TlsLineClient } from '../helpers/tls.js';
import { TestBackend } from './helpers/test-backend.js';

let dir: string;
let first: TestCertificate;
let second: TestCertificate;
let server: StratumServer;
let tlsPort: number;
let bans: BanRegistry;
const clients: TlsLineClient[] = [];

async function client(ca: Buffer): Promise<TlsLineClient> {
  const c = await TlsLineClient.open(tlsPort, ca);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-tls-'));
  first = makeCertificate(dir, 'first');
  second = makeCertificate(dir, 'second');
  bans = new BanRegistry();
  server = createStratumServer({ backend: new TestBackend(), bans, difficulty: { initial: 1, floor: 0.001, ceiling: 1000 } });
  await server.listen(0, '127.0.0.1');
  tlsPort = await server.listenTls(0, '127.0.0.1', { cert: first.cert, key: first.key });
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
  bans?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('stratum+ssl', () => {
  it('subscribes, authorizes and gets a share accepted over TLS', async () => {
    const c = await client(first.cert);
    expect(c.peerName()).toBe('first');
    const sub = await c.call(1, 'mining.subscribe', ['tls-test/1']);
    expect(sub.error).toBeNull();
    expect(await c.call(2, 'mining.authorize', ['bcrt1qtestaddress0.tls', 'x'])).toEqual({ id: 2, result: true, error: null });
    const notify = await c.waitFor((m) => m.method === 'mining.notify');
    const jobId = (notify.params as string[])[0]!;
    const submit = await c.call(3, 'mining.submit', ['bcrt1qtestaddress0.tls', jobId, '00000001', '6553f100', '00001001']);
    expect(submit).toEqual({ id: 3, result: true, error: null });
    expect(server.sessions().some((s) => s.worker === 'tls' && s.sharesAccepted === 1)).toBe(true);
  });

  it('switches the certificate for new handshakes; established sessions keep working', async () => {
    const before = await client(first.cert);
    await before.call(1, 'mining.subscribe', []);
    server.setSecureContext({ cert: second.cert, key: second.key });
    const after = await client(second.cert);
    expect(after.peerName()).toBe('second');
    expect((await after.call(1, 'mining.subscribe', [])).error).toBeNull();
    // A client pinned to the old certificate can no longer connect.
    await expect(TlsLineClient.open(tlsPort, first.cert)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    expect((await before.call(2, 'mining.authorize', ['bcrt1qtestaddress0.old', 'x'])).result).toBe(true);
    server.setSecureContext({ cert: first.cert, key: first.key });
  });

  it('a banned address is refused before the TLS handshake', async () => {
    bans.ban('127.0.0.1', 60_000, 'test');
    await expect(TlsLineClient.open(tlsPort, first.cert)).rejects.toThrow(/socket disconnected|ECONNRESET|closed/i);
    bans.lift('127.0.0.1');
    const c = await client(first.cert);
    expect((await c.call(1, 'mining.subscribe', [])).error).toBeNull();
  });
});
