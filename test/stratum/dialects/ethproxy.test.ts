/** eth-proxy transcripts as Claymore and PhoenixMiner send them, verified for real with hashimoto-light. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryHex } from '../../../src/stratum/dialects/ethash-params.js';
import type { Message } from '../helpers/client.js';
import { Harness } from '../helpers/harness.js';
import { ADDRESS, epochOneCache, laterJob, mixOf, SHARE, SHARE_DIFFICULTY, SHARE_JOB, startEthashServer } from './ethash-fixture.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 120_000);
afterAll(() => h.closeAll());

const ok = (id: number, result: unknown): Message => ({ id, jsonrpc: '2.0', result, error: null });
const fail = (id: number, code: number, message: string): Message => ({ id, jsonrpc: '2.0', result: null, error: { code, message } });
const work = [`0x${SHARE.headerHash}`, `0x${SHARE_JOB.seedHash}`, boundaryHex(SHARE_DIFFICULTY), '0x7531'];

describe('eth-proxy', () => {
  it('logs in (Claymore), hands out work, accepts the recorded share and rejects bad ones precisely', async () => {
    const { port, ethashBackend, server } = await startEthashServer(h);
    const c = await h.client(port);
    // Claymore: worker in the top-level field, wallet alone in params.
    c.send({ worker: 'rig1', jsonrpc: '2.0', params: [ADDRESS, 'x'], id: 2, method: 'eth_submitLogin' });
    expect(await c.reply(2)).toEqual(ok(2, true));
    c.send({ id: 3, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
    expect(await c.reply(3)).toEqual(ok(3, work));

    const submit = (id: number, params: unknown[]) => {
      c.send({ id, jsonrpc: '2.0', method: 'eth_submitWork', params, worker: 'rig1' });
      return c.reply(id);
    };
    const nonce = `0x${SHARE.nonceHex}`;
    expect(await submit(4, [nonce, `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`])).toEqual(ok(4, true));
    const recorded = ethashBackend.shares.at(-1);
    expect(recorded?.req).toEqual({
      workerName: `${ADDRESS}.rig1`,
      jobId: null,
      headerHash: SHARE.headerHash,
      nonce: SHARE.nonce,
      mixDigest: SHARE.mixDigest,
    });
    expect(recorded?.ctx).toMatchObject({ address: ADDRESS, worker: 'rig1', jobDifficulty: SHARE_DIFFICULTY });

    expect(await submit(5, [nonce, `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`])).toEqual(fail(5, 22, 'Duplicate share'));
    // The right nonce with a wrong mix digest (one bit flipped).
    const badMix = (Number.parseInt(SHARE.mixDigest.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + SHARE.mixDigest.slice(2);
    expect(await submit(6, ['0x00000000000008c7', `0x${SHARE.headerHash}`, `0x${badMix}`])).toEqual(fail(6, 20, 'Invalid mix digest'));
    // A genuine mix of a nonce that misses the boundary.
    expect(await submit(7, ['0x00000000000008c5', `0x${SHARE.headerHash}`, `0x${mixOf(0x8c5n)}`])).toEqual(fail(7, 23, 'Low difficulty share'));
    expect(await submit(8, ['0x8c6', `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(8, -32602, 'nonce must be 16 hex characters (8 bytes), got 3'),
    );
    expect(await submit(9, [nonce, `0x${'g'.repeat(64)}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(9, -32602, `header hash is not hex: '0x${'g'.repeat(22)}…'`),
    );
    expect(await submit(10, [nonce])).toEqual(fail(10, -32602, 'eth_submitWork expects 3 params [nonce, headerhash, mixdigest], got 1'));

    // PhoenixMiner reports its hash rate.
    c.send({
      id: 11,
      jsonrpc: '2.0',
      method: 'eth_submitHashrate',
      params: [`0x${(12_000_000).toString(16).padStart(64, '0')}`, `0x${'ab'.repeat(32)}`],
    });
    expect(await c.reply(11)).toEqual(ok(11, true));

    // New block: the new work is pushed with id 0, and the old header is stale.
    const next = ethashBackend.addJob(laterJob('e2'), true);
    server.broadcastEthashJob(next, true);
    const push = await c.waitFor((m) => m.id === 0, 3000, 'work push');
    expect(push).toEqual({ id: 0, jsonrpc: '2.0', result: [`0x${next.headerHash}`, `0x${next.seedHash}`, boundaryHex(SHARE_DIFFICULTY), '0x7532'] });
    expect(await submit(12, ['0x00000000000008c8', `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(12, 21, `Stale job '${SHARE_JOB.id}'`),
    );
    expect(await submit(13, [nonce, `0x${'11'.repeat(32)}`, `0x${SHARE.mixDigest}`])).toEqual(
      fail(13, 21, 'Unknown header hash 0x1111111111111111…: stale or not given to this connection'),
    );
    c.send({ id: 14, jsonrpc: '2.0', method: 'eth_getBlockByNumber', params: [] });
    expect(await c.reply(14)).toEqual(fail(14, -32601, "Unknown method 'eth_getBlockByNumber'"));
    expect(c.isClosed).toBe(false);
  }, 60_000);

  it('takes ADDRESS.WORKER from the login (PhoenixMiner) and refuses work before login', async () => {
    const { port, ethashBackend } = await startEthashServer(h);
    const early = await h.client(port);
    early.send({ id: 3, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
    expect(await early.reply(3)).toEqual(fail(3, 24, 'Not logged in: send eth_submitLogin first'));

    const phoenix = await h.client(port);
    phoenix.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', worker: 'eth1.0', params: [`${ADDRESS}.phx`, 'x'] });
    expect(await phoenix.reply(1)).toEqual(ok(1, true));
    phoenix.send({ id: 5, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
    expect((await phoenix.reply(5)).result).toEqual(work);
    phoenix.send({
      id: 6,
      jsonrpc: '2.0',
      method: 'eth_submitWork',
      worker: 'eth1.0',
      params: [`0x${SHARE.nonceHex}`, `0x${SHARE.headerHash}`, `0x${SHARE.mixDigest}`],
    });
    expect(await phoenix.reply(6)).toEqual(ok(6, true));
    expect(ethashBackend.shares.at(-1)?.ctx).toMatchObject({ worker: 'phx' });

    const bad = await h.client(port);
    bad.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: ['notanaddress', 'x'] });
    expect(await bad.reply(1)).toEqual(fail(1, 24, "Unauthorized worker: invalid payout address 'notanaddress'"));
    bad.send({ id: 2, jsonrpc: '2.0', method: 'eth_submitLogin', params: [42] });
    expect((await bad.reply(2)).error).toEqual({
      code: -32602,
      message: 'eth_submitLogin param 1 (login: ADDRESS or ADDRESS.WORKER) must be a non-empty string',
    });
  }, 60_000);
});
