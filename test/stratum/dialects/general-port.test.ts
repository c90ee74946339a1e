/**
 * The general port (3333) serves SHA-256d and Ethash miners at once: every kind is recognised by its first
 * message, cgminer/cpuminer/Bitaxe keep working beside GPU miners, and malformed lines from one miner get an error
 * (or a clean disconnect) without touching anybody else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, handshake, jobIdOf, submitParams } from '../helpers/harness.js';
import { ADDRESS, epochOneCache, SHARE, SHARE_JOB, startEthashServer } from './ethash-fixture.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 120_000);
afterAll(() => h.closeAll());

describe('general port: SHA-256d and Ethash side by side', () => {
  it('serves cgminer (bare subscribe), cpuminer, Bitaxe and the three Ethash dialects on one port', async () => {
    const { port, server } = await startEthashServer(h, ['sha256d', 'ethash']);
    // Old cgminer: empty subscribe without a jsonrpc marker stays SV1 on a port that serves SHA-256d.
    const cgminer = await h.client(port);
    const sub = await cgminer.call(0, 'mining.subscribe', []);
    expect((sub.result as unknown[])[2]).toBe(4);
    expect((await cgminer.call(1, 'mining.authorize', ['bcrt1qtestaddress0.cg', 'x'])).result).toBe(true);
    const cgJob = jobIdOf(await cgminer.notification('mining.notify'));
    const cpuminer = await h.client(port);
    const cpuJob = jobIdOf((await handshake(cpuminer, 'bcrt1qtestaddress1.cpu')).notify);
    const bitaxe = await h.client(port);
    // Bitaxe sends suggest_difficulty first.
    expect((await bitaxe.call(1, 'mining.suggest_difficulty', [512])).result).toBe(true);
    const bitaxeJob = jobIdOf((await handshake(bitaxe, 'bcrt1qtestaddress0.bitaxe')).notify);

    const lol = await h.client(port);
    expect((await lol.call(1, 'mining.subscribe', ['lolMiner 1.88', 'EthereumStratum/1.0.0'])).error).toBeNull();
    expect((await lol.call(2, 'mining.authorize', [`${ADDRESS}.lol`, 'x'])).result).toBe(true);
    await lol.notification('mining.notify');
    const proxy = await h.client(port);
    proxy.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: [`${ADDRESS}.claymore`] });
    expect((await proxy.reply(1)).result).toBe(true);
    const ethminer = await h.client(port);
    ethminer.send({ id: 1, jsonrpc: '2.0', method: 'mining.subscribe', params: [] });
    expect((await ethminer.reply(1)).result).toBe(true);

    const kinds = server.sessions().map((s) => s.algorithm);
    expect(kinds.filter((k) => k === 'sha256d')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'ethash')).toHaveLength(3);
    // A SHA-256d broadcast reaches only SV1 sessions; an Ethash one only Ethash sessions.
    expect((await cgminer.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.cg', cgJob, 1))).result).toBe(true);
    expect((await cpuminer.call(4, 'mining.submit', submitParams('bcrt1qtestaddress1.cpu', cpuJob, 1))).result).toBe(true);
    expect((await bitaxe.call(4, 'mining.submit', submitParams('bcrt1qtestaddress0.bitaxe', bitaxeJob, 1))).result).toBe(true);
    expect((await lol.call(5, 'mining.submit', [`${ADDRESS}.lol`, SHARE_JOB.id, SHARE.nonceHex.slice(6)])).result).toBe(true);
    expect(cgminer.pending().filter((m) => m.method === 'mining.notify' && (m.params as unknown[]).length === 4)).toHaveLength(0);
  }, 60_000);

  it('answers malformed lines per dialect and keeps the other miners going', async () => {
    const { port } = await startEthashServer(h, ['sha256d', 'ethash']);
    const asic = await h.client(port);
    const job = jobIdOf((await handshake(asic)).notify);

    const proxy = await h.client(port);
    proxy.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: [ADDRESS] });
    await proxy.reply(1);
    proxy.sendRaw('{"id":2,"jsonrpc":"2.0","method":"eth_submitWork","params":[\n');
    expect((await proxy.reply(null)).error).toEqual([20, expect.stringMatching(/^Parse error/), null]);
    proxy.send({ id: 3, jsonrpc: '2.0', method: 'eth_submitWork', params: { nonce: '0x1' } });
    expect((await proxy.reply(3)).error).toEqual([20, "Invalid request: 'params' must be an array", null]);
    proxy.send({ id: 4, jsonrpc: '2.0', method: 'eth_submitWork', params: [null, null, null] });
    expect((await proxy.reply(4)).error).toEqual({ code: -32602, message: 'nonce must be a hex string, got null' });
    // The third unparseable line closes this connection cleanly.
    proxy.sendRaw('not json\n');
    await proxy.closed;

    const stratum2 = await h.client(port);
    stratum2.send({ id: 1, jsonrpc: '2.0', method: 'mining.hello', params: { agent: 'ethminer-0.19', proto: 'EthereumStratum/2.0.0' } });
    // EthereumStratum/2.0.0 puts an object in params: an error reply, so ethminer's autodetection tries 1.0.0 next.
    expect((await stratum2.reply(1)).error).toEqual([20, "Invalid request: 'params' must be an array", null]);
    stratum2.send({ id: 2, jsonrpc: '2.0', method: 'mining.hello', params: ['ethminer-0.19', 'EthereumStratum/2.0.0'] });
    expect((await stratum2.reply(2)).error).toEqual({ code: -32601, message: expect.stringMatching(/^EthereumStratum\/2\.0\.0 is not supported/) });
    await stratum2.closed;

    const nice = await h.client(port);
    expect((await nice.call(1, 'mining.subscribe', ['NiceHashMiner/3.0', 'EthereumStratum/1.0.0'])).error).toBeNull();
    // Submitting before authorize names the problem.
    expect((await nice.call(2, 'mining.submit', [`${ADDRESS}.x`, SHARE_JOB.id, '0000000001'])).error).toEqual([
      24,
      `Unauthorized worker '${ADDRESS}.x'`,
      null,
    ]);
    expect((await asic.call(9, 'mining.submit', submitParams('bcrt1qtestaddress0.rig1', job, 7))).result).toBe(true);
    expect(asic.isClosed).toBe(false);
  }, 60_000);
});
