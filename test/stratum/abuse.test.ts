/**
 * Bad input gets a precise JSON-RPC error, abusive input a clean disconnect — and a second miner connected to the
 * same server keeps getting answers throughout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertWellFormedReplies, type TestClient } from './helpers/client.js';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

const h = new Harness();
let port: number;
let healthy: TestClient;
let healthyJob: string;
let healthyExtranonce1: string;
let healthyNonce = 0;

beforeEach(async () => {
  ({ port } = await h.start({
    limits: { maxBadLines: 3, requestBurst: 40, requestsPerSecond: 20, maxConnectionsPerIp: 50 },
  }));
  healthy = await h.client(port);
  const hs = await handshake(healthy, 'bcrt1qtestaddress0.healthy');
  healthyJob = jobIdOf(hs.notify);
  healthyExtranonce1 = hs.extranonce1;
});
afterEach(() => h.closeAll());

/** The healthy miner still gets its share accepted. */
async function healthyStillServed(): Promise<void> {
  const id = 1000 + ++healthyNonce;
  healthy.send({ id, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.healthy', healthyJob, 5000 + healthyNonce) });
  expect(await healthy.reply(id)).toEqual({ id, result: true, error: null });
  assertWellFormedReplies(healthy.received);
}

describe('bad input', () => {
  it('malformed JSON gets a parse error and the connection stays usable', async () => {
    const c = await h.client(port);
    c.sendRaw('{"id": 1, "method": "mining.subscribe", "params": [\n');
    const err = await c.reply(null);
    expect(err.result).toBeNull();
    expect(err.error).toEqual([20, expect.stringMatching(/^Parse error: /), null]);
    expect((await c.call(2, 'mining.subscribe', [])).error).toBeNull();
    await healthyStillServed();
  });

  it('a 100 KB line gets "line too long" and a disconnect', async () => {
    const c = await h.client(port);
    c.sendRaw(`{"id":1,"method":"mining.subscribe","params":["${'a'.repeat(100 * 1024)}"]}\n`);
    expect(await c.reply(null)).toEqual({ id: null, result: null, error: [20, 'Line too long: more than 16384 bytes', null] });
    await c.closed;
    await healthyStillServed();
  });

  it('binary garbage is disconnected after a few bad lines', async () => {
    const c = await h.client(port);
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
    c.sendRaw(garbage);
    await c.closed;
    // At most maxBadLines error replies were written before the disconnect.
    expect(c.received.length).toBeGreaterThan(0);
    expect(c.received.length).toBeLessThanOrEqual(3);
    assertWellFormedReplies(c.received);
    await healthyStillServed();
  });

  it('a TLS hello on the plain port (no newline) is dropped by the handshake timeout', async () => {
    const quick = await h.start({ limits: { handshakeTimeoutMs: 150 } });
    const c = await h.client(quick.port);
    c.sendRaw(Buffer.from('160301020001000200303', 'hex'));
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeLessThan(2000);
    await healthyStillServed();
  });

  it('a miner that completes its handshake is not dropped by the handshake timeout', async () => {
    const quick = await h.start({ limits: { handshakeTimeoutMs: 150 } });
    const c = await h.client(quick.port);
    await handshake(c);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.isClosed).toBe(false);
    expect((await c.call(7, 'mining.extranonce.subscribe', [])).result).toBe(true);
  });

  it('unknown method, wrong param types and submit before subscribe get precise errors', async () => {
    const c = await h.client(port);
    expect(await c.call(1, 'mining.foo', [])).toEqual({ id: 1, result: null, error: [20, "Unknown method 'mining.foo'", null] });
    expect(await c.call(2, 'mining.submit', submitParams('w', '1', 1))).toEqual({
      id: 2,
      result: null,
      error: [25, 'Not subscribed', null],
    });
    await c.call(3, 'mining.subscribe', []);
    expect(await c.call(4, 'mining.submit', ['w', '1', '00000001', '6553f100', 42])).toEqual({
      id: 4,
      result: null,
      error: [20, 'mining.submit param 5 (nonce) must be a string, got number', null],
    });
    expect(await c.call(5, 'mining.submit', ['w', '1', '01', '6553f100', '00000000'])).toEqual({
      id: 5,
      result: null,
      error: [20, "extranonce2 must be 8 hex characters (4 bytes), got '01'", null],
    });
    expect(await c.call(6, 'mining.submit', submitParams('nobody.here', '1', 1))).toEqual({
      id: 6,
      result: null,
      error: [24, "Unauthorized worker 'nobody.here'", null],
    });
    expect(await c.call(7, 'mining.authorize', [12345])).toEqual({
      id: 7,
      result: null,
      error: [20, 'mining.authorize param 1 (username) must be a non-empty string, got number', null],
    });
    expect(await c.call(8, 'mining.configure', ['version-rolling'])).toMatchObject({ id: 8, result: null });
    c.send({ id: 9, method: 'mining.subscribe', params: { agent: 'x' } });
    expect(await c.reply(9)).toEqual({ id: 9, result: null, error: [20, "Invalid request: 'params' must be an array", null] });
    assertWellFormedReplies(c.received);
    expect(c.isClosed).toBe(false);
    await healthyStillServed();
  });

  it('unknown methods in a loop get an error each and a disconnect once the junk allowance is spent', async () => {
    const c = await h.client(port);
    let burst = '';
    for (let i = 0; i < 200; i++) burst += `{"id":${i},"method":"mining.nonsense","params":[]}\n`;
    c.sendRaw(burst);
    await c.closed;
    const last = c.received[c.received.length - 1];
    expect(last).toEqual({ id: null, result: null, error: [20, 'Too many refused requests', null] });
    // The bucket let the burst (40) through first, then cut the rest off (a few tokens may refill meanwhile).
    expect(c.received.length).toBeGreaterThanOrEqual(41);
    expect(c.received.length).toBeLessThan(60);
    await healthyStillServed();
  });

  it('a burst of well-formed requests is answered in full and in order, not disconnected for rate', async () => {
    const c = await h.client(port);
    let burst = '';
    for (let i = 0; i < 2000; i++) burst += `{"id":${i},"method":"mining.extranonce.subscribe","params":[]}\n`;
    c.sendRaw(burst);
    await c.reply(1999, 20_000);
    expect(c.received.map((m) => m.id)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(c.received.every((m) => m.result === true)).toBe(true);
    expect(c.isClosed).toBe(false);
    await healthyStillServed();
  });

  it('a miner sending faster than the backend judges is slowed (socket paused), every submit answered in order', async () => {
    const slow = await h.start({ limits: { maxQueuedRequests: 4 } });
    const c = await h.client(slow.port);
    const jobId = jobIdOf((await handshake(c)).notify);
    let release: () => void = () => undefined;
    slow.backend.holdSubmits = new Promise<void>((r) => (release = r));
    // Far more than the queue bound, in one write: the pool stops reading; nothing is refused or dropped.
    let burst = '';
    for (let i = 1; i <= 300; i++)
      burst += `${JSON.stringify({ id: 10 + i, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', jobId, i) })}\n`;
    c.sendRaw(burst);
    await new Promise((r) => setTimeout(r, 200));
    // Held: the first submit waits in the backend, none answered, none judged past it.
    expect(c.pending().filter((m) => m.method === undefined)).toEqual([]);
    release();
    await c.reply(310, 20_000);
    const replies = c.received.filter((m) => m.method === undefined && typeof m.id === 'number' && m.id > 10);
    expect(replies.map((m) => m.id)).toEqual(Array.from({ length: 300 }, (_, i) => 11 + i));
    expect(replies.every((m) => m.result === true)).toBe(true);
    expect(slow.backend.shares).toHaveLength(300);
    expect(c.isClosed).toBe(false);
  });

  it('a pool bug while handling one miner (a throwing backend) costs that miner only', async () => {
    const broken = await h.start();
    const a = await h.client(broken.port);
    const job = jobIdOf((await handshake(a, 'bcrt1qtestaddress0.a')).notify);
    const b = await h.client(broken.port);
    const jobB = jobIdOf((await handshake(b, 'bcrt1qtestaddress0.b')).notify);
    // A rejected promise from the share pipeline: error 20, the connection stays.
    const submitShare = broken.backend.submitShare.bind(broken.backend);
    broken.backend.submitShare = () => Promise.reject(new Error('database down'));
    expect(await a.call(3, 'mining.submit', submitParams('bcrt1qtestaddress0.a', job, 1))).toEqual({
      id: 3,
      result: null,
      error: [20, 'Share could not be processed: internal pool error', null],
    });
    broken.backend.submitShare = submitShare;
    // A synchronous throw: error reply, that connection closed, the process and the other miner unaffected.
    const hasJob = broken.backend.hasJob.bind(broken.backend);
    broken.backend.hasJob = () => {
      throw new Error('bug');
    };
    expect(await a.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.a', job, 2))).toEqual({
      id: 4,
      result: null,
      error: [20, 'Internal pool error', null],
    });
    await a.closed;
    broken.backend.hasJob = hasJob;
    expect((await b.call(5, 'mining.submit', submitParams('bcrt1qtestaddress0.b', jobB, 3))).result).toBe(true);
  });

  it('a client that stops reading is dropped instead of buffered without bound', async () => {
    const small = await h.start({ limits: { maxWriteBufferBytes: 64 * 1024 } });
    const other = await h.client(small.port);
    await handshake(other, 'bcrt1qtestaddress1.other');
    const slowClient = await h.client(small.port);
    await handshake(slowClient, 'bcrt1qtestaddress0.slow');
    slowClient.socket.pause();
    const slowId = small.server.sessions().find((s) => s.worker === 'slow')?.id ?? '';
    expect(small.server.sessionCount()).toBe(2);
    const text = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 2000 && small.server.session(slowId) !== undefined; i++) {
      small.server.session(slowId)?.showMessage(text);
      await new Promise((r) => setImmediate(r));
    }
    expect(small.server.session(slowId)).toBeUndefined();
    expect(small.server.sessions().map((s) => s.worker)).toEqual(['other']);
    expect(small.server.sessionCount()).toBe(1);
    expect((await other.call(50, 'mining.extranonce.subscribe', [])).result).toBe(true);
  });

  it('refuses connections over the per-address limit', async () => {
    const limited = await h.start({ limits: { maxConnectionsPerIp: 2 } });
    const a = await h.client(limited.port);
    const b = await h.client(limited.port);
    const c = await h.client(limited.port);
    await c.closed;
    expect((await a.call(1, 'mining.subscribe', [])).error).toBeNull();
    expect((await b.call(1, 'mining.subscribe', [])).error).toBeNull();
    a.close();
    await a.closed;
    // The slot is given back when a connection ends (the server learns of it asynchronously).
    for (let i = 0; i < 50 && limited.server.sessions().length > 1; i++) await new Promise((r) => setTimeout(r, 10));
    const d = await h.client(limited.port);
    expect((await d.call(1, 'mining.subscribe', [])).error).toBeNull();
  });
});

describe('extranonce1 uniqueness', () => {
  it('gives every live connection its own extranonce1, also after reconnects', async () => {
    const clients: TestClient[] = [];
    const live = new Map<TestClient, string>();
    for (let i = 0; i < 40; i++) {
      const c = await h.client(port);
      clients.push(c);
      live.set(c, ((await c.call(1, 'mining.subscribe', [])).result as unknown[])[1] as string);
    }
    for (const c of clients.slice(0, 20)) {
      c.close();
      live.delete(c);
    }
    for (let i = 0; i < 20; i++) {
      const c = await h.client(port);
      live.set(c, ((await c.call(1, 'mining.subscribe', [])).result as unknown[])[1] as string);
    }
    const values = [...live.values()];
    expect(values).toHaveLength(40);
    expect(new Set(values).size).toBe(40);
    // The healthy miner's, held all along, was never handed out again.
    expect(values).not.toContain(healthyExtranonce1);
    await healthyStillServed();
  });
});
