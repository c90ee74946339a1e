/** One port, several kinds of miners: the first message decides, and Ethash miners are told the truth. */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, handshake, jobIdOf, submitParams } from '../helpers/harness.js';
import { ETHASH_UNAVAILABLE } from '../../../src/stratum/dialects/detect.js';

const h = new Harness();
afterEach(() => h.closeAll());

describe('dialect detection on a shared port', () => {
  it('refuses eth-proxy and EthereumStratum miners clearly while a SHA-256d miner keeps working', async () => {
    const { port } = await h.start({ algorithms: ['sha256d', 'ethash'] });
    const asic = await h.client(port);
    const job = jobIdOf((await handshake(asic)).notify);

    const proxy = await h.client(port);
    proxy.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: ['0x00000000000000000000000000000000000000aa', 'x'] });
    expect(await proxy.reply(1)).toEqual({
      id: 1,
      jsonrpc: '2.0',
      result: null,
      error: { code: -32000, message: ETHASH_UNAVAILABLE },
    });
    await proxy.closed;

    const getwork = await h.client(port);
    getwork.send({ id: 5, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
    expect((await getwork.reply(5)).error).toEqual({ code: -32000, message: ETHASH_UNAVAILABLE });
    await getwork.closed;

    const nicehashEth = await h.client(port);
    nicehashEth.send({ id: 1, method: 'mining.subscribe', params: ['ethminer/0.19.0', 'EthereumStratum/1.0.0'] });
    expect(await nicehashEth.reply(1)).toEqual({
      id: 1,
      result: null,
      error: [20, ETHASH_UNAVAILABLE, null],
    });
    await nicehashEth.closed;

    expect((await asic.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.rig1', job, 1))).result).toBe(true);
  });

  it('refuses a SHA-256d miner on an Ethash-only port with a clear message', async () => {
    const { port } = await h.start({ algorithms: ['ethash'] });
    const c = await h.client(port);
    c.send({ id: 1, method: 'mining.subscribe', params: ['cgminer/4.10.0'] });
    const reply = await c.reply(1);
    expect(reply.result).toBeNull();
    expect(reply.error).toEqual([20, expect.stringMatching(/serves ethash miners only; SHA-256d/), null]);
    await c.closed;
  });

  it('decides on the first request only: a later EthereumStratum-looking subscribe is plain SV1', async () => {
    const { port } = await h.start();
    const c = await h.client(port);
    expect((await c.call(1, 'mining.configure', [['version-rolling'], { 'version-rolling.mask': '1fffe000' }])).error).toBeNull();
    const sub = await c.call(2, 'mining.subscribe', ['x', 'EthereumStratum/1.0.0']);
    expect(sub.error).toBeNull();
    expect(c.isClosed).toBe(false);
  });
});
