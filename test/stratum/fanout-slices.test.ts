/**
 * A job fan-out is written in slices (the event loop serves other I/O between them): every session still gets
 * the job exactly once, and a newer job that arrives before the fan-out finished replaces it for the sessions not
 * reached yet — clean if the replaced job was clean, so nobody keeps mining on the old block.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../helpers/memory-logger.js';
import { Harness, handshake, jobIdOf } from './helpers/harness.js';
import type { TestClient } from './helpers/client.js';

const h = new Harness();
afterEach(() => h.closeAll());

/** Sessions: more than one slice of 64 (the server reads the clock every 64 sessions). */
const SESSIONS = 150;

async function sessions(port: number): Promise<TestClient[]> {
  const clients = await Promise.all(Array.from({ length: SESSIONS }, () => h.client(port)));
  await Promise.all(clients.map((c, i) => handshake(c, `bcrt1qtestaddress0.rig${i}`)));
  return clients;
}

describe('job fan-out in slices', () => {
  it('reaches every session once, yielding to the event loop between slices', async () => {
    const { logger, lines } = memoryLogger();
    const { server, port, backend } = await h.start({ fanoutSliceMs: 0, logger, limits: { maxConnectionsPerIp: 1000 } });
    const clients = await sessions(port);
    const job = backend.makeJob();
    let yielded = false;
    setImmediate(() => {
      yielded = true;
    });
    server.broadcastJob(job, true);
    // With a zero budget the first slice stops after 64 sessions: the rest follow on later turns of the loop.
    expect(yielded).toBe(false);
    const notes = await Promise.all(clients.map((c) => c.notification('mining.notify')));
    expect(yielded).toBe(true);
    expect(notes.map(jobIdOf)).toEqual(clients.map(() => job.id));
    expect(notes.every((n) => (n.params as unknown[])[8] === true)).toBe(true);
    // One line for the whole fan-out, saying it took several slices (150 sessions, a break every 64).
    const sent = lines().filter((l) => l.msg === 'job sent to sessions' && l.job === job.id);
    expect(sent).toEqual([expect.objectContaining({ sessions: SESSIONS, slices: 3, clean: true })]);
  });

  it('lets a newer job replace an unfinished fan-out, clean where the replaced one was clean', async () => {
    const { server, port, backend } = await h.start({ fanoutSliceMs: 0, limits: { maxConnectionsPerIp: 1000 } });
    const clients = await sessions(port);
    const first = backend.makeJob();
    const second = backend.makeJob();
    server.broadcastJob(first, true);
    server.broadcastJob(second, false);
    const lastNotify = await Promise.all(
      clients.map(async (c) => {
        // A session reached by the first fan-out gets it, then the second; the others only the second.
        let n = await c.notification('mining.notify');
        if (jobIdOf(n) === first.id) n = await c.notification('mining.notify');
        return n;
      }),
    );
    expect(lastNotify.map(jobIdOf)).toEqual(clients.map(() => second.id));
    // The first fan-out was clean and unfinished: the replacement is sent clean to everyone.
    expect(lastNotify.every((n) => (n.params as unknown[])[8] === true)).toBe(true);
  });
});
