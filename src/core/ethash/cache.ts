/**
 * The Ethash light cache (RandMemoHash over keccak-512 items) and dataset items computed from it. Pure: no I/O.
 * A cache can live in a SharedArrayBuffer so every verification thread reads the same memory without a copy.
 */
import { keccak512, keccak512Words16 } from './keccak.js';
import { CACHE_ROUNDS, DATASET_PARENTS, HASH_BYTES, lightCacheSize, seedHash } from './params.js';

export const FNV_PRIME = 0x01000193;

/** One epoch's light cache: `numItems` 64-byte items as 16 little-endian words each. */
export interface LightCache {
  epoch: number;
  numItems: number;
  /**
   * numItems x 16 words (little-endian), over a SharedArrayBuffer when built with `shared`. Signed view: V8 keeps
   * int32 arithmetic in registers, where uint32 values above 2^31 would become doubles.
   */
  words: Int32Array;
}

/**
 * Builds an epoch's light cache (seconds of keccak, growing with the epoch): keep it off the event loop. `into`: a
 * view of exactly lightCacheSize(epoch) bytes to build in (e.g. a region of a shared memory); `shared`: a new
 * SharedArrayBuffer.
 */
export function buildLightCache(epoch: number, opts: { shared?: boolean; into?: Int32Array } = {}): LightCache {
  const size = lightCacheSize(epoch);
  const numItems = size / HASH_BYTES;
  if (opts.into && opts.into.byteLength !== size) throw new RangeError(`cache of epoch ${epoch} needs ${size} bytes, got ${opts.into.byteLength}`);
  const words = opts.into ?? new Int32Array(opts.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  // Item 0 = keccak512(seed); item i = keccak512(item i-1).
  new Uint8Array(words.buffer, words.byteOffset, HASH_BYTES).set(keccak512(seedHash(epoch)));
  for (let i = 1; i < numItems; i++) keccak512Words16(words, (i - 1) * 16, words, i * 16);
  // RandMemoHash rounds, in place: item i = keccak512(item i-1 XOR item[first word of item i mod n]).
  const mixed = new Int32Array(16);
  for (let round = 0; round < CACHE_ROUNDS; round++) {
    for (let i = 0; i < numItems; i++) {
      const prev = (i === 0 ? numItems - 1 : i - 1) * 16;
      const other = ((words[i * 16]! >>> 0) % numItems) * 16;
      for (let k = 0; k < 16; k++) mixed[k] = words[prev + k]! ^ words[other + k]!;
      keccak512Words16(mixed, 0, words, i * 16);
    }
  }
  return { epoch, numItems, words };
}

/** x (an int32 read as unsigned) mod n for n < 2^31, staying in int32 arithmetic (V8 would use a float modulo). */
function modUnsigned(x: number, n: number): number {
  let r = ((x >>> 1) % n) * 2 + (x & 1);
  if (r >= n) r -= n;
  return r;
}

const itemMix = new Int32Array(16);

/**
 * Dataset item `index` (512 bits) from the light cache into `out[outOff..outOff+16]`: the cache item at index,
 * keccak'd, then folded with 256 pseudo-randomly chosen cache items by FNV, then keccak'd again.
 */
export function datasetItem(cache: LightCache, index: number, out: Int32Array, outOff: number): void {
  const words = cache.words;
  const n = cache.numItems;
  const mix = itemMix;
  const base = (index % n) * 16;
  for (let k = 0; k < 16; k++) mix[k] = words[base + k]!;
  mix[0] = mix[0]! ^ index;
  keccak512Words16(mix, 0, mix, 0);
  for (let j = 0; j < DATASET_PARENTS; j++) {
    const parent = modUnsigned(Math.imul(index ^ j, FNV_PRIME) ^ mix[j & 15]!, n) * 16;
    for (let k = 0; k < 16; k++) mix[k] = Math.imul(mix[k]!, FNV_PRIME) ^ words[parent + k]!;
  }
  keccak512Words16(mix, 0, out, outOff);
}

const pageMixA = new Int32Array(16);
const pageMixB = new Int32Array(16);

/**
 * Dataset page `page` (items 2·page and 2·page+1, 32 words) into `out[0..32]`. The two items are computed in one
 * loop so their independent cache reads overlap in the CPU: the light cache is too big for L2, and the reads,
 * not the arithmetic, bound light verification. Same result as two datasetItem calls.
 */
export function datasetPage(cache: LightCache, page: number, out: Int32Array): void {
  const words = cache.words;
  const n = cache.numItems;
  const a = pageMixA;
  const b = pageMixB;
  const indexA = 2 * page;
  const indexB = indexA + 1;
  const baseA = (indexA % n) * 16;
  const baseB = (indexB % n) * 16;
  for (let k = 0; k < 16; k++) {
    a[k] = words[baseA + k]!;
    b[k] = words[baseB + k]!;
  }
  a[0] = a[0]! ^ indexA;
  b[0] = b[0]! ^ indexB;
  keccak512Words16(a, 0, a, 0);
  keccak512Words16(b, 0, b, 0);
  for (let j = 0; j < DATASET_PARENTS; j++) {
    const parentA = modUnsigned(Math.imul(indexA ^ j, FNV_PRIME) ^ a[j & 15]!, n) * 16;
    const parentB = modUnsigned(Math.imul(indexB ^ j, FNV_PRIME) ^ b[j & 15]!, n) * 16;
    for (let k = 0; k < 16; k++) {
      a[k] = Math.imul(a[k]!, FNV_PRIME) ^ words[parentA + k]!;
      b[k] = Math.imul(b[k]!, FNV_PRIME) ^ words[parentB + k]!;
    }
  }
  keccak512Words16(a, 0, out, 0);
  keccak512Words16(b, 0, out, 16);
}
