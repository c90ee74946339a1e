/**
 * Light-mode Ethash against the reference library's recorded results for epochs 0, 1 and 2 (caches built here,
 * ~0.3–3 s each depending on load). Higher epochs are in high-epochs.test.ts.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  boundaryFromRawDifficulty,
  buildLightCache,
  datasetItem,
  datasetPage,
  EthashVerdict,
  epochOf,
  hashimotoLight,
  hashToBigInt,
  keccak256,
  type LightCache,
  MAX_BOUNDARY,
  seedOf,
  verifyEthashLight,
  verifyFinalHash,
} from '../../../src/core/ethash/index.js';
import { ethashVectors, hex, nonceOf } from './vectors.js';

const caches = new Map<number, LightCache>();
const cacheFor = (block: number): LightCache => caches.get(epochOf(block))!;
const LOW_EPOCHS = [0, 1, 2];

beforeAll(() => {
  // Epoch 1 is built into a SharedArrayBuffer (as the verifier threads use it), the others into plain memory.
  for (const epoch of LOW_EPOCHS) caches.set(epoch, buildLightCache(epoch, { shared: epoch === 1 }));
}, 240_000);

const itemHex = (cache: LightCache, index: number): string => {
  const out = new Int32Array(16);
  datasetItem(cache, index, out, 0);
  return Buffer.from(out.buffer).toString('hex');
};

describe('light cache and dataset items', () => {
  for (const facts of ethashVectors.epochs.filter((e) => LOW_EPOCHS.includes(e.epoch))) {
    it(`epoch ${facts.epoch}: cache digests, first/last items and dataset items equal the library's`, () => {
      const cache = caches.get(facts.epoch)!;
      const bytes = new Uint8Array(cache.words.buffer, cache.words.byteOffset, cache.words.byteLength);
      expect(cache.numItems).toBe(facts.light_cache_num_items);
      expect(bytes.length).toBe(facts.light_cache_size);
      expect(keccak256(bytes).toString('hex')).toBe(facts.light_cache_keccak256);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(facts.light_cache_sha256);
      expect(Buffer.from(bytes.subarray(0, 64)).toString('hex')).toBe(facts.light_cache_item_first);
      expect(Buffer.from(bytes.subarray(bytes.length - 64)).toString('hex')).toBe(facts.light_cache_item_last);
      // Recorded dataset items are 1024-bit: items 2i and 2i+1.
      const pageHex = (page: number) => itemHex(cache, 2 * page) + itemHex(cache, 2 * page + 1);
      expect(pageHex(0)).toBe(facts.dataset_item_0);
      expect(pageHex(1)).toBe(facts.dataset_item_1);
      expect(pageHex(facts.dataset_item_last_index)).toBe(facts.dataset_item_last);
      const page = new Int32Array(32);
      datasetPage(cache, facts.dataset_item_last_index, page);
      expect(Buffer.from(page.buffer).toString('hex')).toBe(facts.dataset_item_last);
    });
  }

  it('builds into a SharedArrayBuffer when asked (epoch 1 above)', () => {
    expect(caches.get(1)!.words.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(caches.get(0)!.words.buffer).toBeInstanceOf(ArrayBuffer);
  });
});

describe('hashimoto light', () => {
  for (const v of ethashVectors.hash_vectors.filter((h) => LOW_EPOCHS.includes(h.epoch))) {
    it(`block ${v.block} nonce ${v.nonce}: seed, mix digest and final hash`, () => {
      const header = hex(v.header_hash);
      const nonce = nonceOf(v.nonce);
      expect(seedOf(header, nonce).toString('hex')).toBe(v.seed_keccak512);
      const result = hashimotoLight(cacheFor(v.block), header, nonce);
      expect(result.mixDigest.toString('hex')).toBe(v.mix_hash);
      expect(result.finalHash.toString('hex')).toBe(v.final_hash);
    });
  }

  it('rejects malformed inputs precisely', () => {
    expect(() => hashimotoLight(caches.get(0)!, Buffer.alloc(31), 0n)).toThrow(/32 bytes/);
    expect(() => hashimotoLight(caches.get(0)!, Buffer.alloc(32), -1n)).toThrow(/64-bit/);
    expect(() => hashimotoLight(caches.get(0)!, Buffer.alloc(32), 1n << 64n)).toThrow(/64-bit/);
  });
});

describe('verification cases (result codes of the reference library)', () => {
  const cases = ethashVectors.verification_cases.filter((c) => LOW_EPOCHS.includes(epochOf(c.block)));
  it('covers the recorded low-epoch cases', () => expect(cases.length).toBeGreaterThanOrEqual(26));
  for (const c of cases) {
    it(`block ${c.block}: ${c.case} → ${c.result_name}`, () => {
      const solution = { headerHash: hex(c.header_hash), nonce: nonceOf(c.nonce), mixDigest: hex(c.mix_hash) };
      const boundary = c.boundary !== undefined ? BigInt(`0x${c.boundary}`) : boundaryFromRawDifficulty(BigInt(c.difficulty_decimal!));
      const verdict =
        c.check === 'verify_final_difficulty' ? verifyFinalHash(solution, boundary) : verifyEthashLight(cacheFor(c.block), solution, boundary);
      expect(verdict).toBe(c.result);
    });
  }
});

describe('property: a solution meeting its boundary verifies; one flipped bit anywhere does not', () => {
  const flip = (bytes: Buffer, bit: number): Buffer => {
    const copy = Buffer.from(bytes);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  };

  it('holds for random headers at raw difficulty 8', () => {
    const boundary = boundaryFromRawDifficulty(8n);
    const cache = caches.get(0)!;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 256n }),
        fc.nat(255),
        (header, start, bit) => {
          const headerHash = Buffer.from(header);
          // Search like a miner: bounded, and 256 tries at difficulty 8 fail with probability (7/8)^256 ≈ 1e-15.
          let found: { nonce: bigint; mixDigest: Buffer } | null = null;
          for (let nonce = start; nonce < start + 256n && !found; nonce++) {
            const r = hashimotoLight(cache, headerHash, nonce);
            if (hashToBigInt(r.finalHash) <= boundary) found = { nonce, mixDigest: r.mixDigest };
          }
          expect(found).not.toBeNull();
          const { nonce, mixDigest } = found!;
          expect(verifyEthashLight(cache, { headerHash, nonce, mixDigest }, boundary)).toBe(EthashVerdict.SUCCESS);
          const rejected = (s: { headerHash: Buffer; nonce: bigint; mixDigest: Buffer }) =>
            verifyEthashLight(cache, s, MAX_BOUNDARY) !== EthashVerdict.SUCCESS || verifyEthashLight(cache, s, boundary) !== EthashVerdict.SUCCESS;
          expect(rejected({ headerHash: flip(headerHash, bit), nonce, mixDigest })).toBe(true);
          expect(rejected({ headerHash, nonce: nonce ^ (1n << BigInt(bit % 64)), mixDigest })).toBe(true);
          expect(rejected({ headerHash, nonce, mixDigest: flip(mixDigest, bit) })).toBe(true);
        },
      ),
      { numRuns: 8 },
    );
  }, 240_000);
});
