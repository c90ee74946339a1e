/**
 * A block-meeting share must not be refused by the session's pending-submit limit: real server, real PoolRuntime
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

describe('pending-submit limit and blocks', () => {
  it('over the limit an ordinary share is refused, a block is still submitted to the node', async () => {
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
      limits: { maxPendingSubmits: 1 },
    });
    const c = await h.client(port);
    const hs = await handshake(c, 'bcrt1qminer.rig1');
    expect(hs.extranonce1).toBe(extranonce1Hex);
    const jobId = jobIdOf(hs.notify);
    const submit = (id: number, nonce: number): void =>
      c.send({ id, method: 'mining.submit', params: ['bcrt1qminer.rig1', jobId, extranonce2Hex, ntimeHex, nonce.toString(16).padStart(8, '0')] });
    submit(11, recordedBlock.nonce + 1); // pending in the held sink
    submit(12, recordedBlock.nonce + 2); // over the limit, not a block
    expect(await c.reply(12)).toEqual({ id: 12, result: null, error: [20, 'Too many submits pending; slow down', null] });
    submit(13, recordedBlock.nonce); // over the limit, but a block
    // Its share row waits in the held sink like the others; then the block goes to the node.
    release();
    expect((await c.reply(11)).result).toBe(true);
    expect((await c.reply(13)).result).toBe(true);
    expect(chain.submitted.map((s) => s.solution.header.toString('hex'))).toEqual([recordedBlock.header_hex]);
    await writer.close();
    await store.close();
  });
});
