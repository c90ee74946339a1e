/**
 * Ethash difficulty bookkeeping: a new difficulty goes out with the next job (never by re-sending the current
 * header), shares are credited at the difficulty their job was sent with, and the pool's ceiling reaches Ethash
 * sessions too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryHex } from '../../../src/stratum/dialects/ethash-params.js';
import { Harness } from '../helpers/harness.js';
import { ADDRESS, epochOneCache, laterJob, SHARE, SHARE_DIFFICULTY, SHARE_JOB, startEthashServer } from './ethash-fixture.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 120_000);
afterAll(() => h.closeAll());

describe('Ethash difficulty', () => {
  it('EthereumStratum: set_difficulty at once, applies to the next notify; old jobs keep their difficulty', async () => {
    const { port, server, ethashBackend } = await startEthashServer(h, ['ethash']);
    const c = await h.client(port);
    await c.call(1, 'mining.subscribe', ['lolMiner 1.88', 'EthereumStratum/1.0.0']);
    await c.call(2, 'mining.authorize', [`${ADDRESS}.rig1`, 'x']);
    expect((await c.notification('mining.set_difficulty')).params).toEqual([SHARE_DIFFICULTY]);
    await c.notification('mining.notify');
    const id = server.sessions()[0]?.id ?? '';
    server.session(id)?.setDifficulty(SHARE_DIFFICULTY * 4);
    expect((await c.notification('mining.set_difficulty')).params).toEqual([SHARE_DIFFICULTY * 4]);
    // The current header is not sent again (a miner would restart its nonces and resubmit duplicates).
    await new Promise((r) => setTimeout(r, 100));
    expect(c.pending().filter((m) => m.method === 'mining.notify')).toHaveLength(0);
    // A share on the job sent before the change is judged and credited at that job's (lower) difficulty.
    expect((await c.call(3, 'mining.submit', [`${ADDRESS}.rig1`, SHARE_JOB.id, SHARE.nonceHex.slice(6)])).result).toBe(true);
    expect(ethashBackend.shares.at(-1)?.ctx.jobDifficulty).toBe(SHARE_DIFFICULTY);
    const next = ethashBackend.addJob(laterJob('e2'));
    server.broadcastEthashJob(next, false);
    expect((await c.notification('mining.notify')).params).toEqual([next.id, next.seedHash, next.headerHash, false]);
    expect(server.sessions()[0]?.difficulty).toBe(SHARE_DIFFICULTY * 4);
  }, 60_000);

  it('eth-proxy: the same header keeps its boundary; the next header carries the new one; the ceiling caps it', async () => {
    const { port, server } = await startEthashServer(h, ['ethash']);
    const c = await h.client(port);
    c.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: [`${ADDRESS}.rig1`] });
    await c.reply(1);
    c.send({ id: 2, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
    expect(((await c.reply(2)).result as string[])[2]).toBe(boundaryHex(SHARE_DIFFICULTY));
    const id = server.sessions()[0]?.id ?? '';
    server.session(id)?.setDifficulty(SHARE_DIFFICULTY * 2);
    c.send({ id: 3, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
    expect(((await c.reply(3)).result as string[])[2]).toBe(boundaryHex(SHARE_DIFFICULTY));
    server.broadcastEthashJob(laterJob('e2'), true);
    expect(((await c.waitFor((m) => m.id === 0)).result as string[])[2]).toBe(boundaryHex(SHARE_DIFFICULTY * 2));
    // The network difficulty drops below the session's: the ceiling reaches Ethash sessions.
    server.setDifficultyCeiling(SHARE_DIFFICULTY / 2);
    expect(server.sessions()[0]?.difficulty).toBe(SHARE_DIFFICULTY / 2);
    server.broadcastEthashJob(laterJob('e3'), true);
    expect(((await c.waitFor((m) => m.id === 0)).result as string[])[2]).toBe(boundaryHex(SHARE_DIFFICULTY / 2));
  }, 60_000);

  it('takes a d= password option as the starting difficulty', async () => {
    const { port } = await startEthashServer(h, ['ethash']);
    const c = await h.client(port);
    c.send({ id: 1, jsonrpc: '2.0', method: 'mining.subscribe', params: [] });
    await c.reply(1);
    c.send({ id: 3, jsonrpc: '2.0', method: 'mining.authorize', params: [`${ADDRESS}.rig1`, 'x,d=0.5'] });
    await c.reply(3);
    expect(((await c.notification('mining.notify')).params as string[])[3]).toBe(boundaryHex(0.5));
  }, 60_000);
});
