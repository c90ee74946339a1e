/**
 * A block-meeting share must never be refused for load: behind a slow share it waits its turn (flow control),
 * then reaches the node. Real server, real PoolRuntime
 * with real hashing (the recorded regtest block), a real SQLite store behind a share sink that is held back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { PoolRuntime, type ShareSink } from '../../src/pool/pool.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { ShareWriter } from '../../src/store/share-writer.js';
import type { Extranonce1Allocator } from '../../src/stratum/types.js';
import { extranonce1Hex, extranonce2Hex, hardWork, ntimeHex, RecordingChain, recordedBlock } from '../pool/helpers/regtest-work.js';
import { Harness, handshake, jobIdOf } from './helpers/harness.js';

const h = new Harness();
const store = createSqliteStore(':memory:');
const writer = new ShareWriter(store, { logger: silentLogger });

afterEach(async () => {
  await h.closeAll();
});

/** Hands out the recorded extranonce1 (one session per test). */
const recordedAllocator: Extranonce1Allocator = {
  size: 4,
  allocate: () => Buffer.from(extranonce1Hex, 'hex'),
  release: () => undefined,
};

describe('queued submits and blocks', () => {
  it('submits queued behind a held share are answered in order, none refused, and the block reaches the node', async () => {
    await store.migrate();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const sink: ShareSink = {
      add: async (s) => {
        await held;
        return writer.add(s);
      },
    };
    const chain = new RecordingChain();
    const pool = new PoolRuntime({ name: 'asic', chain: chain.asAdapter(), store, shares: sink, instanceId: 0, logger: silentLogger });
    pool.addWork(hardWork, true);
    const { port } = await h.start({
      backend: pool,
      allocator: recordedAllocator,
      difficulty: { initial: 1e-12, floor: 1e-12, ceiling: 1 },
      limits: { maxQueuedRequests: 1 },
    });
    const c = await h.client(port);
    const hs = await handshake(c, 'bcrt1qminer.rig1');
    expect(hs.extranonce1).toBe(extranonce1Hex);
    const jobId = jobIdOf(hs.notify);
    const submit = (id: number, nonce: number): void =>
      c.send({ id, method: 'mining.submit', params: ['bcrt1qminer.rig1', jobId, extranonce2Hex, ntimeHex, nonce.toString(16).padStart(8, '0')] });
    submit(11, recordedBlock.nonce + 1); // pending in the held sink
    submit(12, recordedBlock.nonce + 2); // waits behind it (past the queue bound: the socket is paused)
    submit(13, recordedBlock.nonce); // a block, waits too
    await new Promise((r) => setTimeout(r, 100));
    expect(c.pending().filter((m) => m.method === undefined)).toEqual([]);
    release();
    expect((await c.reply(11)).result).toBe(true);
    expect((await c.reply(12)).result).toBe(true);
    expect((await c.reply(13)).result).toBe(true);
    const order = c.received.filter((m) => m.method === undefined).map((m) => m.id);
    expect(order.slice(-3)).toEqual([11, 12, 13]);
    // The node submission runs after the reply (the block row is written first): wait for it.
    for (let i = 0; i < 200 && chain.submitted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(chain.submitted.map((s) => s.solution.header.toString('hex'))).toEqual([recordedBlock.header_hex]);
    await writer.close();
    await store.close();
  });
});
