/** Vardiff through the real server: the wire order after a change, and old jobs keeping their difficulty. */
import { afterEach, describe, expect, it } from 'vitest';
import { assertWellFormedReplies } from './helpers/client.js';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

const h = new Harness();
afterEach(() => h.closeAll());

describe('vardiff on the wire', () => {
  it('raises a fast submitter; the notify after set_difficulty carries a new job id; old jobs keep their difficulty', async () => {
    const { port, backend } = await h.start({
      difficulty: { initial: 1, floor: 0.01, ceiling: 1e6, targetShareSeconds: 10, retargetSeconds: 30, retargetShares: 5 },
    });
    const c = await h.client(port);
    const hs = await handshake(c);
    const oldJob = jobIdOf(hs.notify);
    expect(hs.difficulty).toBe(1);
    for (let n = 1; n <= 5; n++) {
      c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', oldJob, n) });
      expect((await c.reply(4)).result).toBe(true);
    }
    // Five shares in well under a second at difficulty 1: the ideal is far higher, the step is capped at ×4.
    const diff = await c.notification('mining.set_difficulty');
    expect(diff.params).toEqual([4]);
    const notify = await c.notification('mining.notify');
    const newJob = jobIdOf(notify);
    expect(newJob).not.toBe(oldJob);
    expect(c.received.indexOf(diff)).toBeLessThan(c.received.indexOf(notify));
    // Same work under the new id, with a later ntime: the header space differs, so a miner that restarts its
    // search on every notify does not find the shares it already sent (duplicates).
    expect(notify.params?.slice(1, 7)).toEqual(hs.notify.params?.slice(1, 7));
    expect(parseInt(notify.params?.[7] as string, 16)).toBeGreaterThan(parseInt(hs.notify.params?.[7] as string, 16));

    c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', oldJob, 6) });
    expect((await c.reply(4)).result).toBe(true);
    c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.rig1', newJob, 7) });
    expect((await c.reply(4)).result).toBe(true);
    const byJob = backend.shares.map((s) => [s.req.jobId, s.ctx.jobDifficulty]);
    expect(byJob.slice(5)).toEqual([
      [oldJob, 1],
      [newJob, 4],
    ]);
    assertWellFormedReplies(c.received);
  });

  it('lowers an idle miner on the periodic check and sends fresh work', async () => {
    let clock = 1_000_000;
    const { port } = await h.start({
      now: () => clock,
      vardiffTickMs: 10,
      difficulty: { initial: 64, floor: 1, ceiling: 1e6, targetShareSeconds: 10, retargetSeconds: 30 },
    });
    const c = await h.client(port);
    const hs = await handshake(c);
    clock += 31_000;
    const diff = await c.notification('mining.set_difficulty');
    // No share in 31 s: ideal ≈ 64 × 10/31 ≈ 20.6.
    expect(diff.params).toEqual([20.65]);
    const notify = await c.notification('mining.notify');
    expect(jobIdOf(notify)).not.toBe(jobIdOf(hs.notify));
  });

  it('sends broadcast jobs to every ready session with its own difficulty, and to no one else', async () => {
    const { server, port, backend } = await h.start();
    const a = await h.client(port);
    await handshake(a, 'bcrt1qtestaddress0.a', 'd=8');
    const b = await h.client(port);
    await handshake(b, 'bcrt1qtestaddress0.b', 'd=32');
    const notReady = await h.client(port);
    await notReady.call(1, 'mining.subscribe', []);

    const job = backend.makeJob();
    server.broadcastJob(job, false);
    for (const c of [a, b]) {
      const n = await c.notification('mining.notify');
      expect(n.params?.[0]).toBe(job.id);
      expect(n.params?.[8]).toBe(false);
    }
    // Their difficulty was already on the wire: no second set_difficulty before the job.
    expect(a.pending()).toEqual([]);
    await b.call(9, 'mining.extranonce.subscribe', []);
    expect(notReady.pending()).toEqual([]);
    expect((await a.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.a', job.id, 1))).result).toBe(true);
    expect((await b.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.b', job.id, 1))).result).toBe(true);
    expect(backend.shares.map((s) => [s.ctx.worker, s.ctx.jobDifficulty])).toEqual([
      ['a', 8],
      ['b', 32],
    ]);
  });

  it('caps share difficulty at the network difficulty and lowers sessions above it at once', async () => {
    const { server, port, backend } = await h.start({ difficulty: { initial: 16, floor: 1, ceiling: 1024 } });
    const c = await h.client(port);
    const hs = await handshake(c);
    expect(hs.difficulty).toBe(16);
    server.setDifficultyCeiling(0.25);
    expect((await c.notification('mining.set_difficulty')).params).toEqual([0.25]);
    const job = jobIdOf(await c.notification('mining.notify'));
    expect((await c.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.rig1', job, 1))).result).toBe(true);
    expect(backend.shares[0]?.ctx.jobDifficulty).toBe(0.25);
    // A new session starts at the cap too; a same-value call changes nothing.
    const d = await h.client(port);
    expect((await handshake(d, 'bcrt1qtestaddress0.new')).difficulty).toBe(0.25);
    server.setDifficultyCeiling(0.25);
    expect(d.pending()).toEqual([]);
    // The network difficulty rises again: the configured floor is back, and sessions below it come up to it.
    server.setDifficultyCeiling(1e12);
    for (const client of [c, d]) {
      expect((await client.notification('mining.set_difficulty')).params).toEqual([1]);
      await client.notification('mining.notify');
    }
    // The configured ceiling still holds.
    expect((await c.call(5, 'mining.suggest_difficulty', [5000])).result).toBe(true);
    expect((await c.notification('mining.set_difficulty')).params).toEqual([1024]);
  });
});
