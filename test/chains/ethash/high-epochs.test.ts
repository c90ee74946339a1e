/**
 * The recorded vectors of the higher epochs (13, 89, 166, 167, 171, 176, 517): caches built by the WebAssembly
 * kernels (seconds each; one at a time, released after use), checked against the recorded digests and items, the
 * hash vectors, and the verification cases through the TypeScript reference reading the same cache bytes.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type EthashEngine, SCRATCH_BYTES } from '../../../src/chains/ethash/engine.js';
import { SharedRegions } from '../../../src/chains/ethash/regions.js';
import {
  boundaryFromRawDifficulty,
  datasetPage,
  epochOf,
  HASH_BYTES,
  keccak256,
  type LightCache,
  lightCacheSize,
  verifyEthashLight,
  verifyFinalHash,
} from '../../../src/core/ethash/index.js';
import { ensureEthashWasm } from '../../helpers/ethash-wasm.js';
import { ethashVectors, hex, nonceOf } from '../../core/ethash/vectors.js';

const regions = new SharedRegions();
let engine: EthashEngine;
beforeAll(() => {
  ensureEthashWasm();
  engine = createEngine('wasm', regions.memory, regions.allocate(SCRATCH_BYTES)!);
}, 120_000);

/** Builds the epoch's cache, runs `check` on it, releases the region. */
function withCache(epoch: number, check: (cache: LightCache, offset: number) => void): void {
  const size = lightCacheSize(epoch);
  const offset = regions.allocate(size)!;
  try {
    engine.buildCache({ epoch, offset });
    check({ epoch, numItems: size / HASH_BYTES, words: new Int32Array(regions.memory.buffer, offset, size / 4) }, offset);
  } finally {
    regions.release(offset, size);
  }
}

const HIGH = [13, 89, 166, 167, 171, 176, 517];

describe('Ethash at higher epochs', () => {
  for (const epoch of HIGH) {
    it(`epoch ${epoch}: cache, dataset items, hash vectors and verification cases`, () => {
      withCache(epoch, (cache, offset) => {
        const bytes = new Uint8Array(regions.memory.buffer, offset, lightCacheSize(epoch));
        const facts = ethashVectors.epochs.find((e) => e.epoch === epoch);
        if (facts) {
          expect(keccak256(bytes).toString('hex')).toBe(facts.light_cache_keccak256);
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(facts.light_cache_sha256);
          const page = new Int32Array(32);
          for (const [index, expected] of [
            [0, facts.dataset_item_0],
            [1, facts.dataset_item_1],
            [facts.dataset_item_last_index, facts.dataset_item_last],
          ] as const) {
            datasetPage(cache, index, page);
            expect(Buffer.from(page.buffer).toString('hex')).toBe(expected);
          }
        }
        for (const v of ethashVectors.hash_vectors.filter((h) => h.epoch === epoch)) {
          const out = Buffer.from(engine.hash({ epoch, offset }, null, hex(v.header_hash), nonceOf(v.nonce)));
          expect(out.subarray(0, 32).toString('hex')).toBe(v.mix_hash);
          expect(out.subarray(32).toString('hex')).toBe(v.final_hash);
        }
        for (const c of ethashVectors.verification_cases.filter((k) => epochOf(k.block) === epoch)) {
          const solution = { headerHash: hex(c.header_hash), nonce: nonceOf(c.nonce), mixDigest: hex(c.mix_hash) };
          const boundary = c.boundary !== undefined ? BigInt(`0x${c.boundary}`) : boundaryFromRawDifficulty(BigInt(c.difficulty_decimal!));
          const verdict = c.check === 'verify_final_difficulty' ? verifyFinalHash(solution, boundary) : verifyEthashLight(cache, solution, boundary);
          expect(verdict, c.case).toBe(c.result);
        }
      });
    }, 240_000);
  }

  it('covers every recorded hash vector and verification case between this file and the epoch 0–2 tests', () => {
    const covered = new Set([0, 1, 2, ...HIGH]);
    expect(ethashVectors.hash_vectors.every((v) => covered.has(v.epoch))).toBe(true);
    expect(ethashVectors.verification_cases.every((c) => covered.has(epochOf(c.block)))).toBe(true);
    expect(ethashVectors.epochs.every((e) => covered.has(e.epoch))).toBe(true);
  });
});
