/** EthereumStratum/1.0.0 transcripts as lolMiner, T-Rex and NiceHash-style clients send them, verified for real. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWellFormedReplies, type TestClient } from '../helpers/client.js';
import { Harness } from '../helpers/harness.js';
import { ADDRESS, epochOneCache, laterJob, SHARE, SHARE_DIFFICULTY, SHARE_JOB, startEthashServer } from './ethash-fixture.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 120_000);
afterAll(() => h.closeAll());

/** lolMiner's opening: subscribe with its agent and the protocol name, extranonce.subscribe, authorize. */
async function lolMinerHandshake(c: TestClient, user = `${ADDRESS}.rig1`) {
  c.send({ id: 1, method: 'mining.subscribe', params: ['lolMiner 1.88', 'EthereumStratum/1.0.0'] });
  const sub = await c.reply(1);
  c.send({ id: 2, method: 'mining.extranonce.subscribe', params: [] });
  expect(await c.reply(2)).toEqual({ id: 2, result: true, error: null });
  c.send({ id: 3, method: 'mining.authorize', params: [user, 'x'] });
  expect(await c.reply(3)).toEqual({ id: 3, result: true, error: null });
  const difficulty = await c.notification('mining.set_difficulty');
  const notify = await c.notification('mining.notify');
  return { sub, difficulty, notify };
}

describe('EthereumStratum/1.0.0', () => {
  it('subscribes, sets difficulty, notifies and accepts the recorded real share with "error": null', async () => {
    const { port, ethashBackend } = await startEthashServer(h);
    const c = await h.client(port);
    const { sub, difficulty, notify } = await lolMinerHandshake(c);
    expect(sub.error).toBeNull();
    const [[method, sessionId, protocol], extranonce] = sub.result as [[string, string, string], string];
    expect([method, protocol, typeof sessionId]).toEqual(['mining.notify', 'EthereumStratum/1.0.0', 'string']);
    expect(extranonce).toBe('000000');
    expect(difficulty.params).toEqual([SHARE_DIFFICULTY]);
    expect(notify.params).toEqual([SHARE_JOB.id, SHARE_JOB.seedHash, SHARE_JOB.headerHash, true]);

    // nonce_without_extranonce: the 10 hex digits after the 3-byte extranonce.
    const tail = SHARE.nonceHex.slice(6);
    expect(await c.call(4, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, tail])).toEqual({ id: 4, result: true, error: null });
    const recorded = ethashBackend.shares.at(-1);
    expect(recorded?.req).toEqual({
      workerName: `${ADDRESS}.rig1`,
      jobId: SHARE_JOB.id,
      headerHash: SHARE.headerHash,
      nonce: SHARE.nonce,
      mixDigest: null,
    });
    expect(recorded?.ctx).toMatchObject({ address: ADDRESS, worker: 'rig1', jobDifficulty: SHARE_DIFFICULTY });
    expect(recorded?.verdict).toMatchObject({ ok: true, hashDisplay: SHARE.finalHash });

    // The same nonce again: duplicate (22).
    const dup = await c.call(5, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, tail]);
    expect(dup).toEqual({ id: 5, result: null, error: [22, 'Duplicate share', null] });
    // One nonce lower misses the boundary (the recorded nonce is the smallest that meets it): low difficulty (23).
    const low = await c.call(6, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, '00000008c5']);
    expect(low.error).toEqual([23, 'Low difficulty share', null]);
    // Junk hex and wrong lengths: precise errors (20), the connection stays.
    expect((await c.call(7, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, 'zz000008c6'])).error).toEqual([
      20,
      "nonce is not hex: 'zz000008c6'",
      null,
    ]);
    expect((await c.call(8, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, '08c6'])).error).toEqual([
      20,
      'nonce must be 10 hex characters (the nonce without the 3-byte extranonce 000000), got 4',
      null,
    ]);
    expect((await c.call(9, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id])).error).toEqual([
      20,
      'mining.submit expects 3 params [worker, job_id, nonce], got 2',
      null,
    ]);
    expect((await c.call(10, 'mining.submit', [`${ADDRESS}.other`, SHARE_JOB.id, tail])).error).toEqual([
      24,
      `Unauthorized worker '${ADDRESS}.other'`,
      null,
    ]);
    expect((await c.call(11, 'mining.submit', [`${ADDRESS}.rig1`, 'nope', tail])).error).toEqual([21, "Job 'nope' not found", null]);
    expect((await c.call(12, 'mining.get_transactions', [])).error).toEqual([20, "Unknown method 'mining.get_transactions'", null]);
    expect(c.isClosed).toBe(false);
    assertWellFormedReplies(c.received);
  }, 60_000);

  it('refuses a nonce that does not carry the connection extranonce, and a stale job with 21 (T-Rex)', async () => {
    const { port, ethashBackend, server } = await startEthashServer(h);
    const first = await h.client(port);
    await lolMinerHandshake(first);
    // A second miner gets the next extranonce (000001); the recorded nonce (prefix 000000) is not in its space.
    const trex = await h.client(port);
    trex.send({ id: 1, method: 'mining.subscribe', params: ['T-Rex/0.26.8', 'EthereumStratum/1.0.0'] });
    const sub = await trex.reply(1);
    expect((sub.result as unknown[])[1]).toBe('000001');
    expect((await trex.call(2, 'mining.authorize', [`${ADDRESS}.trex`, 'x'])).result).toBe(true);
    await trex.notification('mining.notify');
    const full = await trex.call(3, 'mining.submit', [`${ADDRESS}.trex`, SHARE_JOB.id, SHARE.nonceHex]);
    expect(full.error).toEqual([20, `nonce ${SHARE.nonceHex} does not start with this connection's extranonce 000001`, null]);
    // Its own tail on its own prefix is a different nonce: verified for real, it misses the boundary.
    const own = await trex.call(4, 'mining.submit', [`${ADDRESS}.trex`, SHARE_JOB.id, SHARE.nonceHex.slice(6)]);
    expect(own.error).toEqual([23, 'Low difficulty share', null]);

    // A new block: the old job is stale for everyone.
    const next = ethashBackend.addJob(laterJob('e2'), true);
    server.broadcastEthashJob(next, true);
    expect((await first.notification('mining.notify')).params).toEqual([next.id, next.seedHash, next.headerHash, true]);
    const stale = await first.call(5, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, SHARE.nonceHex.slice(6)]);
    expect(stale.error).toEqual([21, `Stale job '${SHARE_JOB.id}'`, null]);
    assertWellFormedReplies([...first.received, ...trex.received]);
  }, 60_000);

  it('answers an unknown protocol version and an unauthorized address precisely', async () => {
    const { port } = await startEthashServer(h);
    const c = await h.client(port);
    c.send({ id: 1, method: 'mining.subscribe', params: ['NBMiner/42.3', 'EthereumStratum/9.9.9'] });
    expect((await c.reply(1)).error).toEqual([20, "Unsupported protocol 'EthereumStratum/9.9.9': this pool speaks EthereumStratum/1.0.0", null]);
    c.send({ id: 2, method: 'mining.subscribe', params: ['NBMiner/42.3', 'EthereumStratum/1.0.0'] });
    expect((await c.reply(2)).error).toBeNull();
    expect(await c.call(3, 'mining.authorize', ['notanaddress.rig', 'x'])).toEqual({
      id: 3,
      result: null,
      error: [24, "Unauthorized worker: invalid payout address 'notanaddress'", null],
    });
  }, 60_000);
});
