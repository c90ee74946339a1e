/**
 * What a session remembers of the jobs it sent (a bounded list, newest last): shares on a job it forgot answer
 * "not found" even while the pool still has the job, a job id sent again counts as the newest, and the
 * broadcast's shared bytes carry the same notify a per-session encoding did.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { notifyLine } from '../../src/stratum/session.js';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

const h = new Harness();
afterEach(() => h.closeAll());

const WORKER = 'bcrt1qtestaddress0.rig1';

describe('jobs a session remembers', () => {
  it('keeps the last maxJobsRemembered, oldest forgotten first, a re-sent id moved to the newest', async () => {
    const { server, port, backend } = await h.start({ limits: { maxJobsRemembered: 3 } });
    const c = await h.client(port);
    const { notify } = await handshake(c, WORKER);
    const a = jobIdOf(notify);
    // Same block: every job stays live in the pool, so only the session's memory can forget one.
    const jobs = [backend.makeJob(), backend.makeJob(), backend.makeJob()];
    for (const job of jobs) {
      server.broadcastJob(job, false);
      const n = await c.notification('mining.notify');
      expect(n.params).toEqual(JSON.parse(notifyLine(job, false)).params);
    }
    const [b, cJob, d] = jobs.map((j) => j.id) as [string, string, string];
    expect(backend.hasJob(a)).toBe(true);
    c.send({ id: 10, method: 'mining.submit', params: submitParams(WORKER, a, 1) });
    expect(await c.reply(10)).toEqual({ id: 10, result: null, error: [21, `Job '${a}' not found`, null] });
    c.send({ id: 11, method: 'mining.submit', params: submitParams(WORKER, b, 2) });
    expect(await c.reply(11)).toEqual({ id: 11, result: true, error: null });

    // b sent again becomes the newest; the next job then pushes out c (now the oldest), not b.
    server.broadcastJob(jobs[0] as (typeof jobs)[0], false);
    expect(jobIdOf(await c.notification('mining.notify'))).toBe(b);
    const e = backend.makeJob();
    server.broadcastJob(e, false);
    expect(jobIdOf(await c.notification('mining.notify'))).toBe(e.id);
    c.send({ id: 12, method: 'mining.submit', params: submitParams(WORKER, cJob, 3) });
    expect(await c.reply(12)).toEqual({ id: 12, result: null, error: [21, `Job '${cJob}' not found`, null] });
    for (const [id, job] of [
      [13, b],
      [14, d],
      [15, e.id],
    ] as const) {
      c.send({ id, method: 'mining.submit', params: submitParams(WORKER, job, id) });
      expect(await c.reply(id)).toEqual({ id, result: true, error: null });
    }
  });
});
