/**
 * Ethash sessions feed the ban policy like SV1 ones, over real sockets and per dialect (EthereumStratum/1.0.0,
 * eth-proxy, ethminer's stratum): junk lines, refused logins and a mostly invalid share stream each get the hostile
 * address banned (its connections closed, new ones refused at accept, IPv6 by /64), while a clean Ethash miner from
 * another loopback address keeps mining the recorded real share. The server listens dual-stack on `::`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BanRegistry, type BanPolicy } from '../../src/stratum/bans.js';
import { EthashExtranonceAllocator } from '../../src/stratum/dialects/ethash-extranonce.js';
import { EthashTestBackend } from '../helpers/ethash-backend.js';
import { ADDRESS, epochOneCache, SHARE, SHARE_DIFFICULTY, SHARE_JOB } from './dialects/ethash-fixture.js';
import type { Message, TestClient } from './helpers/client.js';
import { TestClient as Client } from './helpers/client.js';
import { Harness } from './helpers/harness.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 120_000);
afterAll(() => h.closeAll());

const BAD = '127.0.0.2';
const GOOD = '127.0.0.3';
const USER = `${ADDRESS}.rig1`;
const HEADER = `0x${SHARE.headerHash}`;
/** The recorded share's mix digest with one bit flipped: Ethash's own check refuses it (work that is wrong). */
const BAD_MIX = `0x${(Number.parseInt(SHARE.mixDigest.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0')}${SHARE.mixDigest.slice(2)}`;

interface DialectScript {
  name: string;
  /** The dialect's opening (first message names the dialect) and a good login; resolves once logged in. */
  hello(c: TestClient): Promise<void>;
  /** A login the backend refuses (not an address). */
  badLogin(c: TestClient, id: number): void;
  /** A share the miner got wrong (wrong mix digest, or below the share boundary where no mix is sent). */
  badShare(c: TestClient, id: number): void;
  /** The recorded real share, from the first EthereumStratum connection (extranonce 000000) or any other dialect. */
  goodShare(c: TestClient, id: number): Promise<Message>;
}

const DIALECTS: DialectScript[] = [
  {
    name: 'EthereumStratum/1.0.0 (lolMiner)',
    async hello(c) {
      await c.call(1, 'mining.subscribe', ['lolMiner 1.88', 'EthereumStratum/1.0.0']);
      expect(await c.call(3, 'mining.authorize', [USER, 'x'])).toMatchObject({ result: true, error: null });
    },
    badLogin: (c, id) => c.send({ id, method: 'mining.authorize', params: ['not-an-address.rig', 'x'] }),
    // No mix digest in this dialect: the nonce tail misses the boundary (or repeats: a duplicate).
    badShare: (c, id) => c.send({ id, method: 'mining.submit', params: [USER, SHARE_JOB.id, '00000008c5'] }),
    goodShare: (c, id) => c.call(id, 'mining.submit', [USER, SHARE_JOB.id, SHARE.nonceHex.slice(6)]),
  },
  {
    name: 'eth-proxy (Claymore)',
    async hello(c) {
      c.send({ worker: 'rig1', jsonrpc: '2.0', params: [ADDRESS, 'x'], id: 2, method: 'eth_submitLogin' });
      expect(await c.reply(2)).toMatchObject({ result: true, error: null });
      // Work must have been given to this connection before its header hash is taken.
      c.send({ id: 3, jsonrpc: '2.0', method: 'eth_getWork', params: [] });
      expect(await c.reply(3)).toMatchObject({ error: null });
    },
    badLogin: (c, id) => c.send({ worker: 'rig1', jsonrpc: '2.0', params: ['not-an-address', 'x'], id, method: 'eth_submitLogin' }),
    badShare: (c, id) => c.send({ id, jsonrpc: '2.0', method: 'eth_submitWork', params: ['0x00000000000008c7', HEADER, BAD_MIX], worker: 'rig1' }),
    goodShare: (c, id) => {
      c.send({ id, jsonrpc: '2.0', method: 'eth_submitWork', params: [`0x${SHARE.nonceHex}`, HEADER, `0x${SHARE.mixDigest}`], worker: 'rig1' });
      return c.reply(id);
    },
  },
  {
    name: "ethminer's stratum",
    async hello(c) {
      c.send({ id: 1, jsonrpc: '2.0', method: 'mining.subscribe', params: [] });
      await c.reply(1);
      c.send({ id: 3, jsonrpc: '2.0', method: 'mining.authorize', params: [USER, 'x'] });
      expect(await c.reply(3)).toMatchObject({ result: true, error: null });
    },
    badLogin: (c, id) => c.send({ id, jsonrpc: '2.0', method: 'mining.authorize', params: ['not-an-address.rig', 'x'] }),
    badShare: (c, id) => c.send({ id, jsonrpc: '2.0', method: 'mining.submit', params: [USER, SHARE_JOB.id, '0x00000000000008c7', HEADER, BAD_MIX] }),
    goodShare: (c, id) => {
      c.send({ id, jsonrpc: '2.0', method: 'mining.submit', params: [USER, SHARE_JOB.id, `0x${SHARE.nonceHex}`, HEADER, `0x${SHARE.mixDigest}`] });
      return c.reply(id);
    },
  },
];

async function ethashServer(policy: Partial<BanPolicy>, limits: { maxBadLines?: number; requestBurst?: number; requestsPerSecond?: number } = {}) {
  const ethashBackend = new EthashTestBackend(new Map([[1, epochOneCache()]]));
  ethashBackend.addJob(SHARE_JOB);
  const bans = new BanRegistry(policy);
  const started = await h.start(
    {
      algorithms: ['ethash'],
      ethashBackend,
      bans,
      limits,
      ethashDifficulty: { initial: SHARE_DIFFICULTY, floor: 1e-12, ceiling: 1 },
      // The first EthereumStratum connection gets extranonce 000000, the recorded share's prefix.
      ethashExtranonces: new EthashExtranonceAllocator(0, 1 << 16, 0),
    },
    '::',
  );
  return { ...started, bans };
}

/** A connection from `localAddress` that the server closes before answering anything. */
async function refusedAtAccept(port: number, localAddress: string, host = '127.0.0.1'): Promise<void> {
  const c = await Client.open(port, host, localAddress).catch(() => null);
  if (c === null) return; // refused before the TCP handshake completed: refused all the same
  c.send({ id: 1, jsonrpc: '2.0', method: 'eth_submitLogin', params: [ADDRESS, 'x'] });
  await c.closed;
  expect(c.received).toEqual([]);
}

/** The clean miner, connected first (so EthereumStratum's gets extranonce 000000), logged in. */
async function cleanMiner(d: DialectScript, port: number): Promise<TestClient> {
  const c = await h.client(port, '127.0.0.1', GOOD);
  await d.hello(c);
  return c;
}

async function stillMines(d: DialectScript, c: TestClient): Promise<void> {
  expect(c.isClosed).toBe(false);
  expect(await d.goodShare(c, 90)).toMatchObject({ result: true, error: null });
}

describe.each(DIALECTS)('Ethash bans: $name', (d) => {
  it('junk lines after the opening ban the address; the clean miner keeps mining', async () => {
    const { port, bans } = await ethashServer({ junkLines: 4 }, { maxBadLines: 3 });
    const good = await cleanMiner(d, port);
    const junk1 = await h.client(port, '127.0.0.1', BAD);
    await d.hello(junk1);
    junk1.sendRaw('not json\nnot json\nnot json\n');
    await junk1.closed;
    const junk2 = await h.client(port, '127.0.0.1', BAD);
    await d.hello(junk2);
    junk2.sendRaw('{"id": 7, "method": \n');
    await junk2.closed;
    expect(bans.list()).toEqual([expect.objectContaining({ key: BAD, reason: '4 junk lines within 60 s' })]);
    await refusedAtAccept(port, BAD);
    await stillMines(d, good);
  });

  it('a flood of refused requests bans the address', async () => {
    const { port, bans } = await ethashServer({ floods: 1 }, { requestBurst: 3, requestsPerSecond: 1 });
    const good = await cleanMiner(d, port);
    const c = await h.client(port, '127.0.0.1', BAD);
    await d.hello(c);
    let lines = '';
    for (let i = 0; i < 10; i++) lines += `${JSON.stringify({ id: 40 + i, jsonrpc: '2.0', method: 'eth_notAMethod', params: [] })}\n`;
    c.sendRaw(lines);
    await c.closed;
    expect(bans.list()).toEqual([expect.objectContaining({ key: BAD, reason: '1 request floods within 60 s' })]);
    await refusedAtAccept(port, BAD);
    await stillMines(d, good);
  });

  it('refused logins ban the address, an IPv6 peer by its /64', async () => {
    const { port, bans } = await ethashServer({ badAuthorizations: 3 });
    const good = await cleanMiner(d, port);
    // Up to 3 connections: a dialect may close a connection after a refused login.
    for (let attempt = 0; attempt < 3 && bans.list().length === 0; attempt++) {
      const c = await h.client(port, '::1');
      c.send({
        id: 1,
        jsonrpc: '2.0',
        method: d.name.startsWith('eth-proxy') ? 'eth_getWork' : 'mining.subscribe',
        params: d.name.startsWith('Ethereum') ? ['lolMiner 1.88', 'EthereumStratum/1.0.0'] : [],
      });
      for (let i = 0; i < 3; i++) d.badLogin(c, 10 + i);
      await c.closed;
    }
    expect(bans.list()).toEqual([expect.objectContaining({ key: '::/64', reason: '3 refused authorizations within 60 s' })]);
    await refusedAtAccept(port, '::1', '::1');
    await stillMines(d, good);
  });

  it('a connection sending mostly invalid shares is banned once over the minimum sample', async () => {
    const { port, bans } = await ethashServer({ minShares: 10, invalidSharePercent: 50 });
    const good = await cleanMiner(d, port);
    const c = await h.client(port, '127.0.0.1', BAD);
    await d.hello(c);
    // One at a time: 9 invalid shares are answered (under the sample), the 10th bans and closes.
    for (let i = 0; i < 9; i++) {
      d.badShare(c, 20 + i);
      const reply = await c.reply(20 + i);
      expect(reply.result === true, JSON.stringify(reply)).toBe(false);
    }
    expect(bans.list()).toEqual([]);
    d.badShare(c, 29);
    await c.closed;
    expect(bans.list()).toEqual([expect.objectContaining({ key: BAD, reason: 'invalid shares: 100% of the last 10' })]);
    await refusedAtAccept(port, BAD);
    await stillMines(d, good);
  });
});
