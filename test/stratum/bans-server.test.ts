/**
 * Bans end to end over real sockets: the server listens dual-stack on `::`, clients come from distinct loopback
 * addresses (127.0.0.2, 127.0.0.3, ::1), so one can be banned while another keeps mining.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BanRegistry } from '../../src/stratum/bans.js';
import { TestClient } from './helpers/client.js';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

const h = new Harness();
afterEach(() => h.closeAll());

const BAD = '127.0.0.2';
const GOOD = '127.0.0.3';

/** A connection from `localAddress` that the server closes before answering anything. */
async function refusedAtAccept(port: number, localAddress: string, host = '127.0.0.1'): Promise<void> {
  const c = await TestClient.open(port, host, localAddress).catch(() => null);
  if (c === null) return; // refused before the TCP handshake completed: refused all the same
  c.send({ id: 1, method: 'mining.subscribe', params: [] });
  await c.closed;
  expect(c.received).toEqual([]);
}

describe('bans over real sockets', () => {
  it('junk lines get the address banned: its live connections close, new ones are refused, others keep mining', async () => {
    const bans = new BanRegistry({ junkLines: 4, windowMs: 60_000 });
    const { port, server } = await h.start({ bans, limits: { maxBadLines: 3 } }, '::');
    const good = await h.client(port, '127.0.0.1', GOOD);
    const hs = await handshake(good);
    const other = await h.client(port, '127.0.0.1', BAD);
    await handshake(other, 'bcrt1qtestaddress1.bystander');

    // 3 junk lines close the first junk connection; the 4th (on a second connection) bans the address.
    const junk1 = await h.client(port, '127.0.0.1', BAD);
    junk1.sendRaw('not json\nnot json\nnot json\n');
    await junk1.closed;
    const junk2 = await h.client(port, '127.0.0.1', BAD);
    junk2.sendRaw('still not json\n');
    await other.closed; // the bystander on the banned address is closed too
    await junk2.closed;
    expect(server.bans.list()).toEqual([expect.objectContaining({ key: BAD, reason: '4 junk lines within 60 s' })]);

    await refusedAtAccept(port, BAD);
    // The clean miner on another address is untouched.
    good.send({ id: 50, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', jobIdOf(hs.notify), 1) });
    expect(await good.reply(50)).toEqual({ id: 50, result: true, error: null });

    // Lifted: the address may connect again.
    expect(server.bans.lift(BAD)).toBe(true);
    const back = await h.client(port, '127.0.0.1', BAD);
    await handshake(back);
  });

  it('a connection sending mostly duplicate shares is banned once over the minimum sample', async () => {
    const bans = new BanRegistry({ minShares: 10, invalidSharePercent: 50 });
    const { port } = await h.start({ bans }, '::');
    const c = await h.client(port, '127.0.0.1', BAD);
    const hs = await handshake(c);
    const job = jobIdOf(hs.notify);
    c.send({ id: 10, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', job, 7) });
    expect((await c.reply(10)).result).toBe(true);
    // One at a time: 8 duplicates are answered (9 shares judged, under the sample), the 9th duplicate bans.
    for (let i = 11; i < 19; i++) {
      expect((await c.call(i, 'mining.submit', submitParams('bcrt1qtestaddress0.rig1', job, 7))).error).toEqual([22, 'Duplicate share', null]);
    }
    expect(bans.list()).toEqual([]);
    c.send({ id: 19, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', job, 7) });
    await c.closed;
    expect(bans.list().map((b) => b.key)).toEqual([BAD]);
    await refusedAtAccept(port, BAD);
  });

  it('repeated refused authorizations ban the address; IPv6 peers are banned by /64', async () => {
    const bans = new BanRegistry({ badAuthorizations: 3 });
    const { port } = await h.start({ bans }, '::');
    const c = await h.client(port, '::1');
    await c.call(1, 'mining.subscribe', []);
    for (let i = 2; i < 5; i++) {
      c.send({ id: i, method: 'mining.authorize', params: ['not-an-address.rig', 'x'] });
    }
    await c.closed;
    expect(bans.list().map((b) => b.key)).toEqual(['::/64']);
    await refusedAtAccept(port, '::1', '::1');
  });

  it('one ban list shared by two servers bans the address on both ports', async () => {
    const bans = new BanRegistry();
    const a = await h.start({ bans }, '::');
    const b = await h.start({ bans }, '::');
    const onB = await h.client(b.port, '127.0.0.1', BAD);
    await handshake(onB);
    a.server.bans.ban(BAD, 60_000, 'operator');
    await onB.closed;
    await refusedAtAccept(a.port, BAD);
    await refusedAtAccept(b.port, BAD);
  });

  it('a connection that sends nothing is closed by the idle timeout, long before the handshake timeout', async () => {
    const { port } = await h.start({ limits: { idleTimeoutMs: 200, handshakeTimeoutMs: 60_000 } });
    const silent = await h.client(port);
    const t0 = Date.now();
    await silent.closed;
    expect(Date.now() - t0).toBeLessThan(5000);
    // One that keeps talking before its handshake is not idle; once subscribed and authorized it may stay quiet.
    const talker = await h.client(port);
    await talker.call(1, 'mining.subscribe', []);
    await new Promise((r) => setTimeout(r, 120));
    await talker.call(2, 'mining.authorize', ['bcrt1qtestaddress0.rig1', 'x']);
    await new Promise((r) => setTimeout(r, 600));
    expect(talker.isClosed).toBe(false);
  });
});
