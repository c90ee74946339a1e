/** The worker-thread verification service: same results as the pure function, epochs, bounds, errors, close. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildLightCache, fullDatasetSize, hashimotoLight } from '../../../src/core/ethash/index.js';
import { createEthashVerifier, EthashQueueFullError, type EthashVerifier } from '../../../src/chains/ethash/verifier.js';
import { ethashVectors, hex, nonceOf } from '../../core/ethash/vectors.js';
import { ensureEthashWasm } from '../../helpers/ethash-wasm.js';

beforeAll(() => ensureEthashWasm(), 120_000);

const open: EthashVerifier[] = [];
function verifier(opts: Parameters<typeof createEthashVerifier>[0]): EthashVerifier {
  const v = createEthashVerifier(opts);
  open.push(v);
  return v;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((v) => v.close()));
});

/** Polls a condition every 50 ms, up to `ms` (generous: the machine is shared). */
async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lowVectors = ethashVectors.hash_vectors.filter((v) => v.epoch <= 1);

describe('EthashVerifier (worker threads)', () => {
  it.each(['wasm', 'typescript'] as const)(
    '%s engine: reproduces every epoch 0/1 vector and equals the pure function on other nonces',
    async (engine) => {
      const v = verifier({ threads: 2, engine });
      const results = await Promise.all(
        lowVectors.map((vec) => v.hash({ blockNumber: vec.block, headerHash: hex(vec.header_hash), nonce: nonceOf(vec.nonce) })),
      );
      results.forEach((r, i) => {
        expect(r.mixDigest.toString('hex')).toBe(lowVectors[i]!.mix_hash);
        expect(r.finalHash.toString('hex')).toBe(lowVectors[i]!.final_hash);
      });
      const cache = buildLightCache(0);
      const header = hex(lowVectors[0]!.header_hash);
      for (const nonce of [0n, 1n, 0xffffffffffffffffn, 0x123456789abcdefn]) {
        const pure = hashimotoLight(cache, header, nonce);
        const fromWorker = await v.hash({ blockNumber: 12345, headerHash: header, nonce });
        expect(fromWorker.mixDigest.equals(pure.mixDigest)).toBe(true);
        expect(fromWorker.finalHash.equals(pure.finalHash)).toBe(true);
      }
      expect(v.stats()).toMatchObject({ threads: 2, mode: 'light', queued: 0, engine });
      expect(v.stats().epochsCached).toEqual([0, 1]);
    },
    180_000,
  );

  it('prepare() builds the current and the next epoch, and keeps at most maxCachedEpochs', async () => {
    const v = verifier({ threads: 2, maxCachedEpochs: 2 });
    await v.prepare(29_999);
    await waitFor(() => v.stats().epochsCached.includes(1), 120_000);
    expect(v.stats().epochsCached).toEqual([0, 1]);
    // Moving on to epoch 1 prepares epoch 2 and evicts epoch 0 (least recently used).
    await v.prepare(30_000);
    await waitFor(() => v.stats().epochsCached.includes(2), 120_000);
    expect(v.stats().epochsCached).toEqual([1, 2]);
    // A late share of epoch 0 still verifies (its cache is rebuilt), and the limit still holds.
    const vec = lowVectors[0]!;
    const r = await v.hash({ blockNumber: vec.block, headerHash: hex(vec.header_hash), nonce: nonceOf(vec.nonce) });
    expect(r.finalHash.toString('hex')).toBe(vec.final_hash);
    expect(v.stats().epochsCached.length).toBeLessThanOrEqual(2);
  }, 300_000);

  it('refuses requests beyond the queue bound with a precise error, and serves the rest', async () => {
    const v = verifier({ threads: 1, maxQueued: 3 });
    const vec = lowVectors[0]!;
    const req = (nonce: bigint) => v.hash({ blockNumber: 0, headerHash: hex(vec.header_hash), nonce });
    const outcomes = await Promise.allSettled([0n, 1n, 2n, 3n, 4n].map(req));
    expect(outcomes.slice(0, 3).every((o) => o.status === 'fulfilled')).toBe(true);
    for (const o of outcomes.slice(3)) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(EthashQueueFullError);
      expect(String((o as PromiseRejectedResult).reason)).toMatch(/queue full \(3 waiting\)/);
    }
    // Once drained, new requests are accepted again.
    await expect(req(9n)).resolves.toHaveProperty('mixDigest');
  }, 120_000);

  it('rejects malformed requests before queueing them', async () => {
    const v = verifier({ threads: 1 });
    await expect(v.hash({ blockNumber: 0, headerHash: Buffer.alloc(31), nonce: 0n })).rejects.toThrow(/header hash must be 32 bytes, got 31/);
    await expect(v.hash({ blockNumber: 0, headerHash: Buffer.alloc(32), nonce: 1n << 64n })).rejects.toThrow(/64-bit/);
    await expect(v.hash({ blockNumber: -1, headerHash: Buffer.alloc(32), nonce: 0n })).rejects.toThrow(/non-negative/);
    await expect(v.prepare(Number.NaN)).rejects.toThrow(/non-negative/);
    expect(v.stats().queued).toBe(0);
    expect(v.stats().epochsCached).toEqual([]);
  });

  it('close() fails pending requests precisely and refuses new ones', async () => {
    const v = verifier({ threads: 1 });
    const pending = v.hash({ blockNumber: 0, headerHash: Buffer.alloc(32), nonce: 7n }).catch((err: Error) => err);
    await v.close();
    expect(String(await pending)).toMatch(/ethash verifier closed before the hash was computed/);
    await expect(v.hash({ blockNumber: 0, headerHash: Buffer.alloc(32), nonce: 7n })).rejects.toThrow(/ethash verifier is closed/);
    await expect(v.prepare(0)).rejects.toThrow(/closed/);
  });

  it('full mode: memoised dataset gives the same results and fills in the background', async () => {
    const v = verifier({ threads: 2, maxCachedEpochs: 1, fullDataset: { enabled: true, memoryBudgetBytes: 2 ** 31, backgroundFill: true } });
    await v.prepare(0);
    expect(v.stats()).toMatchObject({ mode: 'full', engine: 'wasm' });
    expect(v.stats().memoryBytes).toBeGreaterThan(fullDatasetSize(0));
    const epoch0 = lowVectors.filter((vec) => vec.epoch === 0);
    for (let round = 0; round < 2; round++) {
      for (const vec of epoch0) {
        const r = await v.hash({ blockNumber: vec.block, headerHash: hex(vec.header_hash), nonce: nonceOf(vec.nonce) });
        expect(r.mixDigest.toString('hex')).toBe(vec.mix_hash);
        expect(r.finalHash.toString('hex')).toBe(vec.final_hash);
      }
    }
    const before = v.stats().datasets[0]!.pagesFilled;
    expect(before).toBeGreaterThanOrEqual(64);
    await waitFor(() => v.stats().datasets[0]!.pagesFilled > before + 256, 60_000);
  }, 180_000);

  it('full mode over budget falls back to light mode', async () => {
    const v = verifier({ threads: 1, maxCachedEpochs: 1, fullDataset: { enabled: true, memoryBudgetBytes: 2 ** 20 } });
    await v.prepare(0);
    expect(v.stats().mode).toBe('light');
    const vec = lowVectors[0]!;
    const r = await v.hash({ blockNumber: vec.block, headerHash: hex(vec.header_hash), nonce: nonceOf(vec.nonce) });
    expect(r.finalHash.toString('hex')).toBe(vec.final_hash);
  }, 120_000);
});
