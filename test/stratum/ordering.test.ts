/**
 * Replies in request order (issue 7): cpuminer and pipelining clients write subscribe + authorize + submit back
 * to back; authorization completes asynchronously, and a submit must still be judged after it, as authorized.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assertWellFormedReplies, type Message } from './helpers/client.js';
import { Harness, submitParams } from './helpers/harness.js';

// The same orderings against the in-process server and against 1 and 2 socket worker processes.
describe.each([0, 1, 2])('stratum.workers = %i', (workers) => {
  const h = new Harness(workers);
  afterEach(() => h.closeAll());

  const line = (obj: unknown): string => `${JSON.stringify(obj)}\n`;
  const replyIds = (msgs: Message[]): unknown[] => msgs.filter((m) => m.method === undefined).map((m) => m.id);

  describe('pipelined requests on one connection', () => {
    it('subscribe + authorize + submit in one write: replies in order, the share judged as authorized', async () => {
      const { port, backend } = await h.start();
      // A backend that takes its time to authorize, as a database or address check may.
      backend.authorizeDelayMs = 80;
      const jobId = backend.currentJob()?.id ?? '';
      const c = await h.client(port);
      c.sendRaw(
        line({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] }) +
          line({ id: 2, method: 'mining.authorize', params: ['bcrt1qtestaddress0.cpu1', 'x'] }) +
          line({ id: 3, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', jobId, 1) }),
      );
      expect(await c.reply(3)).toEqual({ id: 3, result: true, error: null });
      expect(replyIds(c.received)).toEqual([1, 2, 3]);
      expect(c.received.find((m) => m.id === 2)?.result).toBe(true);
      expect(backend.shares.map((s) => [s.ctx.address, s.ctx.worker, s.verdict.ok])).toEqual([['bcrt1qtestaddress0', 'cpu1', true]]);
      assertWellFormedReplies(c.received);
    });

    it('a reconnecting miner sending its queued submits right after authorize: answered in order, none "unauthorized"', async () => {
      const { port, backend } = await h.start();
      backend.authorizeDelayMs = 80;
      const current = backend.currentJob()?.id ?? '';
      const c = await h.client(port);
      // Shares found on the previous connection's jobs, then one on the job this connection gets.
      c.sendRaw(
        line({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] }) +
          line({ id: 2, method: 'mining.authorize', params: ['bcrt1qtestaddress0.cpu1', 'x'] }) +
          line({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', 'dead', 7) }) +
          line({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', 'beef', 8) }) +
          line({ id: 5, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', current, 9) }),
      );
      expect(await c.reply(5)).toEqual({ id: 5, result: true, error: null });
      const replies = c.received.filter((m) => m.method === undefined);
      expect(replies.map((m) => m.id)).toEqual([1, 2, 4, 4, 5]);
      expect(replies[1]?.result).toBe(true);
      expect(replies[2]?.error).toEqual([21, "Job 'dead' not found", null]);
      expect(replies[3]?.error).toEqual([21, "Job 'beef' not found", null]);
      // The authorize reply comes before the work it starts: set_difficulty and notify follow it.
      const authAt = c.received.findIndex((m) => m.id === 2);
      expect(c.received.findIndex((m) => m.method === 'mining.notify')).toBeGreaterThan(authAt);
      assertWellFormedReplies(c.received);
    });

    it('an error for a bad line does not overtake the reply to an earlier, slower request', async () => {
      const { port, backend } = await h.start();
      backend.authorizeDelayMs = 80;
      const c = await h.client(port);
      c.sendRaw(
        line({ id: 1, method: 'mining.subscribe', params: [] }) +
          line({ id: 2, method: 'mining.authorize', params: ['bcrt1qtestaddress0.cpu1', 'x'] }) +
          '{"id": 3, not json\n' +
          line({ id: 4, method: 'mining.nonsense', params: [] }),
      );
      expect(await c.reply(4)).toEqual({ id: 4, result: null, error: [20, "Unknown method 'mining.nonsense'", null] });
      expect(replyIds(c.received)).toEqual([1, 2, null, 4]);
      expect(c.received.find((m) => m.id === 2)?.result).toBe(true);
    });

    it('a submit judged slowly holds back the next request of its connection only', async () => {
      const { port, backend } = await h.start();
      const jobId = backend.currentJob()?.id ?? '';
      const a = await h.client(port);
      const b = await h.client(port);
      for (const [c, worker] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await c.call(1, 'mining.subscribe', []);
        expect((await c.call(2, 'mining.authorize', [`bcrt1qtestaddress0.${worker}`, 'x'])).result).toBe(true);
      }
      let release: () => void = () => undefined;
      backend.holdSubmits = new Promise<void>((r) => (release = r));
      a.sendRaw(
        line({ id: 10, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.a', jobId, 1) }) +
          line({ id: 11, method: 'mining.extranonce.subscribe', params: [] }),
      );
      // b is not held by a's pending submit.
      expect((await b.call(20, 'mining.extranonce.subscribe', [])).result).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      expect(a.pending().filter((m) => m.method === undefined)).toEqual([]);
      release();
      expect((await a.reply(11)).result).toBe(true);
      expect(replyIds(a.received).slice(-2)).toEqual([10, 11]);
    });
  });
});
