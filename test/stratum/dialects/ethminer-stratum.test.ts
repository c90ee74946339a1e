/** ethminer's plain stratum+tcp mode, as ethminer 0.19 (JSON-RPC 2.0 marked) and older versions talk. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryHex } from '../../../src/stratum/dialects/ethash-params.js';
import { Harness } from '../helpers/harness.js';
import { ADDRESS, epochOneCache, laterJob, SHARE, SHARE_DIFFICULTY, SHARE_JOB, startEthashServer } from './ethash-fixture.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 120_000);
afterAll(() => h.closeAll());

const ok = (id: number, result: unknown) => ({ id, jsonrpc: '2.0', result, error: null });
const fail = (id: number, code: number, message: string) => ({ id, jsonrpc: '2.0', result: null, error: { code, message } });

describe("ethminer's stratum mode", () => {
  it('subscribes and authorizes, gets [job, header, seed, boundary], submits full nonce + header + mix', async () => {
    const { port, ethashBackend, server } = await startEthashServer(h, ['sha256d', 'ethash']);
    const c = await h.client(port);
    c.send({ id: 1, jsonrpc: '2.0', method: 'mining.subscribe', params: [] });
    expect(await c.reply(1)).toEqual(ok(1, true));
    c.send({ id: 3, jsonrpc: '2.0', method: 'mining.authorize', params: [`${ADDRESS}.rig1`, 'x'] });
    expect(await c.reply(3)).toEqual(ok(3, true));
    const notify = await c.notification('mining.notify');
    expect(notify).toEqual({
      id: null,
      jsonrpc: '2.0',
      method: 'mining.notify',
      params: [SHARE_JOB.id, `0x${SHARE.headerHash}`, `0x${SHARE_JOB.seedHash}`, boundaryHex(SHARE_DIFFICULTY)],
    });

    const submit = (id: number, params: unknown[]) => {
      // ethminer 0.19: the login without the worker first, the worker name in the top-level field.
      c.send({ id, jsonrpc: '2.0', method: 'mining.submit', params, worker: 'rig1' });
      return c.reply(id);
    };
    const share = [ADDRESS, SHARE_JOB.id, `0x${SHARE.nonceHex}`, `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`];
    expect(await submit(40, share)).toEqual(ok(40, true));
    expect(ethashBackend.shares.at(-1)?.req).toEqual({
      workerName: ADDRESS,
      jobId: SHARE_JOB.id,
      headerHash: SHARE.headerHash,
      nonce: SHARE.nonce,
      mixDigest: SHARE.mixDigest,
    });
    expect(ethashBackend.shares.at(-1)?.ctx).toMatchObject({ worker: 'rig1' });
    expect(await submit(41, share)).toEqual(fail(41, 22, 'Duplicate share'));
    const flipped = `0x${SHARE.mixDigest.slice(0, 63)}${(Number.parseInt(SHARE.mixDigest.slice(63), 16) ^ 1).toString(16)}`;
    expect(await submit(42, [ADDRESS, SHARE_JOB.id, '0x00000000000008c7', `0x${SHARE.headerHash}`, flipped])).toEqual(
      fail(42, 20, 'Invalid mix digest'),
    );
    expect(await submit(43, [ADDRESS, SHARE_JOB.id, `0x${SHARE.nonceHex}`, `0x${'22'.repeat(32)}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(43, 20, `header hash 0x2222222222222222… is not the header of job '${SHARE_JOB.id}'`),
    );
    expect(await submit(44, [ADDRESS, SHARE_JOB.id, 'nonce!', `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(44, 20, "nonce is not hex: 'nonce!'"),
    );
    c.send({ id: 9, jsonrpc: '2.0', method: 'eth_submitHashrate', params: [`0x${'0'.repeat(60)}1000`, `0x${'cd'.repeat(32)}`], worker: 'rig1' });
    expect(await c.reply(9)).toEqual(ok(9, true));

    const next = ethashBackend.addJob(laterJob('e2'), true);
    server.broadcastEthashJob(next, true);
    expect((await c.notification('mining.notify')).params).toEqual([
      next.id,
      `0x${next.headerHash}`,
      `0x${next.seedHash}`,
      boundaryHex(SHARE_DIFFICULTY),
    ]);
    expect(await submit(45, [ADDRESS, SHARE_JOB.id, '0x00000000000008c9', `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(45, 21, `Stale job '${SHARE_JOB.id}'`),
    );
  }, 60_000);

  it('speaks Stratum-1.0 replies to an old ethminer (no jsonrpc marker) on an Ethash-only port', async () => {
    const { port } = await startEthashServer(h, ['ethash']);
    const c = await h.client(port);
    expect(await c.call(1, 'mining.subscribe', [])).toEqual({ id: 1, result: true, error: null });
    expect(await c.call(3, 'mining.authorize', [`${ADDRESS}.old`, 'x'])).toEqual({ id: 3, result: true, error: null });
    const notify = await c.notification('mining.notify');
    expect(notify.params).toEqual([SHARE_JOB.id, `0x${SHARE.headerHash}`, `0x${SHARE_JOB.seedHash}`, boundaryHex(SHARE_DIFFICULTY)]);
    // Old ethminer turns a short job id into a 32-byte hash (zeros) and sends that back: the header names the work.
    const reply = await c.call(4, 'mining.submit', [
      `${ADDRESS}.old`,
      '0'.repeat(64),
      `0x${SHARE.nonceHex}`,
      `0x${SHARE.headerHash}`,
      `0x${SHARE.mixDigest}`,
    ]);
    expect(reply).toEqual({ id: 4, result: true, error: null });
    expect((await c.call(5, 'mining.submit', [`${ADDRESS}.old`, SHARE_JOB.id, '0x1'])).error).toEqual([
      20,
      'mining.submit expects 5 params [worker, job_id, nonce, headerhash, mixdigest], got 3',
      null,
    ]);
  }, 60_000);
});
