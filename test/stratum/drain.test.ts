/** Graceful drain and live reconfiguration of a Stratum server, over real sockets. */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

const h = new Harness();
afterEach(() => h.closeAll());

describe('drain', () => {
  it('sends client.reconnect, answers the share in flight, then closes; new connections are refused', async () => {
    const { server, port, backend } = await h.start();
    const c = await h.client(port);
    const hs = await handshake(c);
    let release: () => void = () => undefined;
    backend.holdSubmits = new Promise((r) => {
      release = r;
    });
    c.send({ id: 9, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', jobIdOf(hs.notify), 1) });
    await new Promise((r) => setTimeout(r, 50));
    const drained = server.drain({ reconnect: { host: 'pool.example', waitSeconds: 3 }, timeoutMs: 5000 });
    expect(await c.notification('client.reconnect')).toEqual({ id: null, method: 'client.reconnect', params: ['pool.example', port, 3] });
    await new Promise((r) => setTimeout(r, 100));
    expect(c.isClosed).toBe(false); // still waiting for the share's answer
    release();
    expect(await c.reply(9)).toEqual({ id: 9, result: true, error: null });
    await c.closed;
    expect(await drained).toEqual({ sessions: 1, reconnected: 1, allAnswered: true });
    await expect(h.client(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes after the timeout when an answer never comes, and says so', async () => {
    const { server, port, backend } = await h.start();
    const c = await h.client(port);
    const hs = await handshake(c);
    backend.holdSubmits = new Promise(() => undefined);
    c.send({ id: 9, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', jobIdOf(hs.notify), 1) });
    await new Promise((r) => setTimeout(r, 50));
    expect(await server.drain({ timeoutMs: 200 })).toEqual({ sessions: 1, reconnected: 0, allAnswered: false });
    await c.closed;
    expect(c.received.some((m) => m.method === 'client.reconnect')).toBe(false);
  });
});

describe('reconfigure', () => {
  it('moves live sessions into new difficulty bounds and applies a new per-address cap', async () => {
    const { server, port } = await h.start({ difficulty: { initial: 1, floor: 0.5, ceiling: 1000 } });
    const c = await h.client(port);
    await handshake(c);
    server.reconfigure({ difficulty: { floor: 4, initial: 4 }, limits: { maxConnectionsPerIp: 1 } });
    expect((await c.notification('mining.set_difficulty')).params).toEqual([4]);
    await c.notification('mining.notify');
    const second = await h.client(port);
    await second.closed;
    expect(second.received).toEqual([]);
    expect(() => server.reconfigure({ limits: { maxConnections: -1 } })).toThrow('stratum limit maxConnections must be a positive number, got -1');
  });
});
