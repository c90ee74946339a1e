/** How real miners talk, replayed against the real server on 127.0.0.1. */
import { afterEach, describe, expect, it } from 'vitest';
import { assertWellFormedReplies, type Message } from './helpers/client.js';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

// The same transcripts against the in-process server and against 1 and 2 socket worker processes.
describe.each([0, 1, 2])('stratum.workers = %i', (workers) => {
  const h = new Harness(workers);
  afterEach(() => h.closeAll());

  const indexOf = (msgs: Message[], pred: (m: Message) => boolean): number => msgs.findIndex(pred);

  describe('cpuminer-style session', () => {
    it('pipelined subscribe+authorize, then submits that all use id 4', async () => {
      const { server, port, backend } = await h.start({ difficulty: { initial: 0.5, floor: 0.001, ceiling: 1e6 } });
      const c = await h.client(port);
      // cpuminer writes subscribe and authorize back to back; one TCP chunk carries both.
      c.sendRaw(
        '{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.1"]}\n' +
          '{"id": 2, "method": "mining.authorize", "params": ["bcrt1qtestaddress0.cpu1", "x"]}\n',
      );
      const sub = await c.reply(1);
      const [subs, extranonce1, en2Size] = sub.result as [[string, string][], string, number];
      expect(subs.map((s) => s[0])).toEqual(['mining.set_difficulty', 'mining.notify']);
      expect(subs[0]?.[1]).toBe(subs[1]?.[1]);
      expect(extranonce1).toMatch(/^[0-9a-f]{8}$/);
      expect(en2Size).toBe(4);
      expect((await c.reply(2)).result).toBe(true);
      const diff = await c.notification('mining.set_difficulty');
      expect(diff.params).toEqual([0.5]);
      const notify = await c.notification('mining.notify');
      const job = backend.currentJob();
      expect(notify.params).toEqual([
        job?.id,
        job?.prevHash,
        job?.coinb1,
        job?.coinb2,
        job?.merkleBranch,
        job?.version,
        job?.nbits,
        job?.ntime,
        true,
      ]);
      // Order on the wire: authorize reply, then set_difficulty, then the job.
      const authAt = indexOf(c.received, (m) => m.id === 2 && m.method === undefined);
      const diffAt = indexOf(c.received, (m) => m.method === 'mining.set_difficulty');
      const notifyAt = indexOf(c.received, (m) => m.method === 'mining.notify');
      expect(authAt).toBeLessThan(diffAt);
      expect(diffAt).toBeLessThan(notifyAt);

      const jobId = jobIdOf(notify);
      for (let n = 1; n <= 3; n++) {
        c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', jobId, n) });
        expect(await c.reply(4)).toEqual({ id: 4, result: true, error: null });
      }
      // The same share again: the backend's duplicate verdict comes back as error 22, same id.
      c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', jobId, 2) });
      expect(await c.reply(4)).toEqual({ id: 4, result: null, error: [22, 'Duplicate share', null] });

      expect(backend.shares).toHaveLength(4);
      const ctx = backend.shares[0]?.ctx;
      expect(ctx?.extranonce1.toString('hex')).toBe(extranonce1);
      expect(ctx).toMatchObject({
        address: 'bcrt1qtestaddress0',
        worker: 'cpu1',
        versionMask: 0,
        jobDifficulty: 0.5,
        extranonce2Size: 4,
        remoteAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      });
      expect(backend.shares[0]?.req).toEqual({
        workerName: 'bcrt1qtestaddress0.cpu1',
        jobId,
        extranonce2: '00000001',
        ntime: '6553f100',
        nonce: '00001001',
      });

      // A new block makes the old job stale; the new one is broadcast with clean_jobs.
      const next = backend.newBlock();
      server.broadcastJob(next, true);
      const n2 = await c.notification('mining.notify');
      expect(n2.params?.[0]).toBe(next.id);
      expect(n2.params?.[8]).toBe(true);
      c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', jobId, 9) });
      expect(await c.reply(4)).toEqual({ id: 4, result: null, error: [21, `Stale job '${jobId}'`, null] });
      c.send({ id: 4, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.cpu1', 'beef', 9) });
      expect(await c.reply(4)).toEqual({ id: 4, result: null, error: [21, "Job 'beef' not found", null] });

      const [summary] = await h.sessions(server);
      expect(summary).toMatchObject({
        algorithm: 'sha256d',
        worker: 'cpu1',
        address: 'bcrt1qtestaddress0',
        userAgent: 'cpuminer/2.5.1',
        difficulty: 0.5,
        sharesAccepted: 3,
        sharesRejected: 3,
        difficultyAccepted: 1.5,
        subscribed: true,
        authorized: true,
      });
      expect(summary?.connectedSince).toBeInstanceOf(Date);
      expect(summary?.lastShareAt).toBeInstanceOf(Date);
      assertWellFormedReplies(c.received);
    });
  });

  describe('Bitaxe-style session', () => {
    it('configure and suggest_difficulty before authorize; version-rolled submits pass their bits through', async () => {
      const { port, backend } = await h.start({ difficulty: { initial: 1, floor: 0.001, ceiling: 4096 } });
      const c = await h.client(port);
      const conf = await c.call(1, 'mining.configure', [
        ['version-rolling'],
        { 'version-rolling.mask': 'ffffffff', 'version-rolling.min-bit-count': 16 },
      ]);
      expect(conf).toEqual({ id: 1, result: { 'version-rolling': true, 'version-rolling.mask': '1fffe000' }, error: null });
      const sub = await c.call(2, 'mining.subscribe', ['bitaxe/BM1366/v2.1.0']);
      expect(sub.error).toBeNull();
      expect(await c.call(3, 'mining.suggest_difficulty', [1000])).toEqual({ id: 3, result: true, error: null });
      // Nothing is sent before authorize: no difficulty and no job yet.
      expect(c.pending()).toEqual([]);
      expect((await c.call(4, 'mining.authorize', ['bcrt1qtestaddress1.bitaxe', 'x'])).result).toBe(true);
      expect((await c.notification('mining.set_difficulty')).params).toEqual([1000]);
      const jobId = jobIdOf(await c.notification('mining.notify'));

      c.send({ id: 5, method: 'mining.submit', params: submitParams('bcrt1qtestaddress1.bitaxe', jobId, 1, '00a6e000') });
      expect(await c.reply(5)).toEqual({ id: 5, result: true, error: null });
      // Same header inputs with other version bits is a different header, not a duplicate.
      c.send({ id: 6, method: 'mining.submit', params: submitParams('bcrt1qtestaddress1.bitaxe', jobId, 1, '00a8e000') });
      expect((await c.reply(6)).result).toBe(true);
      // Bits outside the negotiated mask reach the backend, which rejects them.
      c.send({ id: 7, method: 'mining.submit', params: submitParams('bcrt1qtestaddress1.bitaxe', jobId, 2, '20000000') });
      expect(await c.reply(7)).toEqual({ id: 7, result: null, error: [20, 'version bits 20000000 outside mask', null] });

      expect(backend.shares.map((s) => s.req.versionBits)).toEqual(['00a6e000', '00a8e000', '20000000']);
      expect(backend.shares.every((s) => s.ctx.versionMask === 0x1fffe000 && s.ctx.jobDifficulty === 1000)).toBe(true);
      assertWellFormedReplies(c.received);
    });

    it('clamps a suggested difficulty to floor and ceiling, even before subscribe', async () => {
      const { port } = await h.start({ difficulty: { initial: 8, floor: 2, ceiling: 512 } });
      const c = await h.client(port);
      expect((await c.call(1, 'mining.suggest_difficulty', [0.0001])).result).toBe(true);
      const low = await handshake(c);
      expect(low.difficulty).toBe(2);
      // After work started a suggestion takes effect at once: set_difficulty, then the work under a new job id.
      expect((await c.call(9, 'mining.suggest_difficulty', ['100000'])).result).toBe(true);
      expect((await c.notification('mining.set_difficulty')).params).toEqual([512]);
      const renotify = await c.notification('mining.notify');
      expect(jobIdOf(renotify)).not.toBe(jobIdOf(low.notify));
      expect(await c.call(10, 'mining.suggest_difficulty', ['lots'])).toEqual({
        id: 10,
        result: null,
        error: [20, 'mining.suggest_difficulty param 1 must be a positive number', null],
      });
    });

    it('honours d= in the password within floor and ceiling', async () => {
      const { port } = await h.start({ difficulty: { initial: 1, floor: 1, ceiling: 2048 } });
      const a = await h.client(port);
      expect((await handshake(a, 'bcrt1qtestaddress0.a', 'x,d=1024')).difficulty).toBe(1024);
      const b = await h.client(port);
      expect((await handshake(b, 'bcrt1qtestaddress0.b', 'd=99999999')).difficulty).toBe(2048);
      const c = await h.client(port);
      await c.call(1, 'mining.subscribe', []);
      expect(await c.call(2, 'mining.authorize', ['bcrt1qtestaddress0.c', 'd=fast'])).toEqual({
        id: 2,
        result: null,
        error: [20, "password option d= must be a positive number, got 'fast'", null],
      });
    });
  });

  describe('NiceHash-style session', () => {
    it('extranonce.subscribe, error:null on every reply, set_extranonce moves the miner', async () => {
      const { server, port, backend } = await h.start();
      const c = await h.client(port);
      const sub = await c.call(1, 'mining.subscribe', ['NiceHash/1.0.0', null]);
      const en1 = (sub.result as unknown[])[1] as string;
      expect(await c.call(2, 'mining.extranonce.subscribe', [])).toEqual({ id: 2, result: true, error: null });
      expect((await c.call(3, 'mining.authorize', ['bcrt1qtestaddress0.nh', ''])).result).toBe(true);
      await c.notification('mining.set_difficulty');
      const oldJob = jobIdOf(await c.notification('mining.notify'));
      expect(await c.call(4, 'mining.get_transactions', [oldJob])).toEqual({ id: 4, result: [], error: null });

      const [summary] = await h.sessions(server);
      const control = server.session(summary?.id ?? '');
      expect(control?.setExtranonce()).toBe(true);
      const setEn = await c.notification('mining.set_extranonce');
      const en1b = (setEn.params as unknown[])[0] as string;
      expect(setEn.params).toEqual([en1b, 4]);
      expect(en1b).toMatch(/^[0-9a-f]{8}$/);
      expect(en1b).not.toBe(en1);
      const newJob = jobIdOf(await c.notification('mining.notify'));
      expect(newJob).not.toBe(oldJob);

      c.send({ id: 5, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.nh', newJob, 1) });
      c.send({ id: 6, method: 'mining.submit', params: submitParams('bcrt1qtestaddress0.nh', oldJob, 1) });
      expect((await c.reply(5)).result).toBe(true);
      expect((await c.reply(6)).result).toBe(true);
      // Each share is checked with the extranonce1 its job was sent with.
      expect(backend.shares.map((s) => s.ctx.extranonce1.toString('hex'))).toEqual([en1b, en1]);

      control?.showMessage('maintenance at noon');
      expect((await c.notification('client.show_message')).params).toEqual(['maintenance at noon']);
      control?.reconnect('pool.example', 3333, 10);
      expect((await c.notification('client.reconnect')).params).toEqual(['pool.example', 3333, 10]);

      // Every reply on this connection had both keys, error null on success.
      const replies = c.received.filter((m) => m.method === undefined);
      expect(replies.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const r of replies) expect(r).toHaveProperty('error', null);
      assertWellFormedReplies(c.received);
    });

    it('refuses set_extranonce for a miner that did not subscribe to it', async () => {
      const { server, port } = await h.start();
      const c = await h.client(port);
      await handshake(c);
      expect(server.session((await h.sessions(server))[0]?.id ?? '')?.setExtranonce()).toBe(false);
    });
  });

  describe('several workers on one connection (cgminer)', () => {
    it('credits each share to the worker that submitted it; an unauthorized name gets 24', async () => {
      const { port, backend } = await h.start();
      const c = await h.client(port);
      const hs = await handshake(c, 'bcrt1qtestaddress0.a');
      expect((await c.call(3, 'mining.authorize', ['mfakeaddress2_b', 'x'])).result).toBe(true);
      const bad = await c.call(4, 'mining.authorize', ['notanaddress.c', 'x']);
      expect(bad).toEqual({ id: 4, result: null, error: [24, "Unauthorized worker: invalid payout address 'notanaddress'", null] });
      const jobId = jobIdOf(hs.notify);
      c.send({ id: 5, method: 'mining.submit', params: submitParams('mfakeaddress2_b', jobId, 1) });
      expect((await c.reply(5)).result).toBe(true);
      c.send({ id: 6, method: 'mining.submit', params: submitParams('notanaddress.c', jobId, 2) });
      expect(await c.reply(6)).toEqual({ id: 6, result: null, error: [24, "Unauthorized worker 'notanaddress.c'", null] });
      expect(backend.shares.map((s) => [s.ctx.address, s.ctx.worker])).toEqual([['mfakeaddress2', 'b']]);
    });
  });
});
