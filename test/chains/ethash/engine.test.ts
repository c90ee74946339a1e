/**
 * The WebAssembly kernels against the TypeScript reference and the recorded vectors, both engines working on the
 * same shared memory (as verifier threads do): cache bytes, light hashes, memoised dataset pages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CacheRegion, createEngine, type DatasetRegion, type EthashEngine, SCRATCH_BYTES } from '../../../src/chains/ethash/engine.js';
import { SharedRegions } from '../../../src/chains/ethash/regions.js';
import { datasetPage, fullDatasetSize, keccak256, lightCacheSize, readyBitmapBytes } from '../../../src/core/ethash/index.js';
import { ensureEthashWasm } from '../../helpers/ethash-wasm.js';
import { ethashVectors, hex, nonceOf } from '../../core/ethash/vectors.js';

const regions = new SharedRegions();
const memory = regions.memory;
let wasm: EthashEngine;
let ts: EthashEngine;
const cacheBytes = (c: CacheRegion) => new Uint8Array(memory.buffer, c.offset, lightCacheSize(c.epoch));
const wasmCaches = new Map<number, CacheRegion>();
let tsCache0: CacheRegion;

beforeAll(() => {
  ensureEthashWasm();
  wasm = createEngine('wasm', memory, regions.allocate(SCRATCH_BYTES)!);
  ts = createEngine('typescript', memory, regions.allocate(SCRATCH_BYTES)!);
  for (const epoch of [0, 1]) {
    const cache = { epoch, offset: regions.allocate(lightCacheSize(epoch))! };
    wasm.buildCache(cache);
    wasmCaches.set(epoch, cache);
  }
  tsCache0 = { epoch: 0, offset: regions.allocate(lightCacheSize(0))! };
  ts.buildCache(tsCache0);
}, 240_000);

describe('Ethash engines (WebAssembly kernels vs TypeScript reference)', () => {
  it('build identical light caches, equal to the recorded digests', () => {
    for (const [epoch, cache] of wasmCaches) {
      expect(keccak256(cacheBytes(cache)).toString('hex')).toBe(ethashVectors.epochs.find((e) => e.epoch === epoch)!.light_cache_keccak256);
    }
    expect(Buffer.from(cacheBytes(tsCache0)).equals(Buffer.from(cacheBytes(wasmCaches.get(0)!)))).toBe(true);
  });

  it('compute every epoch 0/1 hash vector identically in light mode', () => {
    for (const v of ethashVectors.hash_vectors.filter((h) => h.epoch <= 1)) {
      const cache = wasmCaches.get(v.epoch)!;
      for (const engine of [wasm, ts]) {
        const out = Buffer.from(engine.hash(cache, null, hex(v.header_hash), nonceOf(v.nonce)));
        expect(out.subarray(0, 32).toString('hex'), `${engine.kind} mix, block ${v.block}`).toBe(v.mix_hash);
        expect(out.subarray(32).toString('hex'), `${engine.kind} final, block ${v.block}`).toBe(v.final_hash);
      }
    }
    // Pairs (two shares hashed together, light mode) give each share's own result, whatever the pairing.
    const epoch0 = ethashVectors.hash_vectors.filter((h) => h.epoch === 0);
    for (let i = 0; i < epoch0.length; i++) {
      const x = epoch0[i]!;
      const y = epoch0[(i + 1) % epoch0.length]!;
      const input = (v: typeof x) => ({ headerHash: hex(v.header_hash), nonce: nonceOf(v.nonce) });
      for (const engine of [wasm, ts]) {
        const [rx, ry] = engine.hashPair(wasmCaches.get(0)!, input(x), input(y)).map((r) => Buffer.from(r).toString('hex'));
        expect(rx, `${engine.kind} pair first`).toBe(x.mix_hash + x.final_hash);
        expect(ry, `${engine.kind} pair second`).toBe(y.mix_hash + y.final_hash);
      }
    }
    // Extreme nonces go through the kernels' 64-bit little-endian path the same way.
    for (const nonce of [0n, 0xffffffffffffffffn, 0x8000000000000001n]) {
      const header = Buffer.alloc(32, 0x5a);
      expect(Buffer.from(wasm.hash(wasmCaches.get(0)!, null, header, nonce))).toEqual(Buffer.from(ts.hash(tsCache0, null, header, nonce)));
    }
  });

  it('share one memoised dataset: pages filled by one engine are read by the other, results unchanged', () => {
    const epoch = 0;
    const dataset: DatasetRegion = {
      epoch,
      pagesOffset: regions.allocate(fullDatasetSize(epoch))!,
      readyOffset: regions.allocate(readyBitmapBytes(epoch))!,
      progressOffset: regions.allocate(8)!,
    };
    const cache = wasmCaches.get(0)!;
    // The wasm kernels fill the first 64 pages; they must equal the reference's pages.
    expect(wasm.fill(cache, dataset, 64)).toBe(64);
    const progress = new Int32Array(memory.buffer, dataset.progressOffset, 2);
    expect(Atomics.load(progress, 1)).toBe(64);
    const lightView = { epoch, numItems: lightCacheSize(epoch) / 64, words: new Int32Array(memory.buffer, cache.offset, lightCacheSize(epoch) / 4) };
    const expected = new Int32Array(32);
    for (const page of [0, 1, 63]) {
      datasetPage(lightView, page, expected);
      expect(Buffer.from(memory.buffer, dataset.pagesOffset + page * 128, 128).equals(Buffer.from(expected.buffer))).toBe(true);
    }
    const last = ethashVectors.epochs[0]!;
    for (const v of ethashVectors.hash_vectors.filter((h) => h.epoch === 0)) {
      for (const engine of [wasm, ts, wasm]) {
        const out = Buffer.from(engine.hash(cache, dataset, hex(v.header_hash), nonceOf(v.nonce)));
        expect(out.subarray(0, 32).toString('hex')).toBe(v.mix_hash);
        expect(out.subarray(32).toString('hex')).toBe(v.final_hash);
      }
    }
    // Pages touched by those hashes are now memoised (64 accesses per hash, some shared), and correct.
    expect(Atomics.load(progress, 1)).toBeGreaterThan(64);
    datasetPage(lightView, last.dataset_item_last_index, expected);
    expect(Buffer.from(expected.buffer).toString('hex')).toBe(last.dataset_item_last);
  });
});
