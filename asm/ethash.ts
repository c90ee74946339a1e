/**
 * Ethash kernels in AssemblyScript, compiled to WebAssembly (`npm run build:wasm`, run by `npm ci` through the
 * prepare script). The pure TypeScript in src/core/ethash is the reference; these kernels are tested equal to it
 * and to the recorded vectors.
 *
 * No allocation, no runtime: every address is passed in by the host, which owns the layout of one shared memory
 * (light caches, datasets and a scratch area per thread). Words are little-endian, as Ethash defines them.
 */

const FNV_PRIME: u32 = 0x01000193;

// Scratch layout (bytes from the thread's scratch pointer).
const ST: usize = 0; // keccak state, 200 bytes
const MIX_A: usize = 256; // dataset item mixes, 64 bytes each
const MIX_B: usize = 320;
const MIX: usize = 384; // hashimoto mix, 128 bytes
const SEED: usize = 512; // keccak512(header ‖ nonce), 64 bytes
const PAGE: usize = 576; // a light-mode dataset page, 128 bytes
const TMP: usize = 704; // cache-build xor buffer, 64 bytes
/** Input: header hash (32 bytes) then nonce (8 bytes, little-endian). */
export const IO_HEADER: usize = 768;
/** Output: mix digest (32 bytes) then final hash (32 bytes). */
export const IO_RESULT: usize = 832;
/** The second hash of hashimotoPair: its input and output. */
export const IO_HEADER_2: usize = 896;
export const IO_RESULT_2: usize = 960;
// hashimotoPair's second set: two more item mixes, the second hash's mix, seed and page.
const MIX_C: usize = 1024;
const MIX_D: usize = 1088;
const MIX_2: usize = 1152; // 128 bytes
const SEED_2: usize = 1280; // 64 bytes
const PAGE_2: usize = 1344; // 128 bytes
export const SCRATCH_BYTES: usize = 1536;

@inline function fnv(a: u32, b: u32): u32 {
  return a * FNV_PRIME ^ b;
}

/** keccak512 of the 64 bytes at src into dst (may be equal): rate 72, original padding 0x01 … 0x80. */
export function keccak512_64(src: usize, dst: usize, scratch: usize): void {
  const st = scratch + ST;
  for (let i: usize = 0; i < 64; i += 8) store<u64>(st + i, load<u64>(src + i));
  store<u64>(st, 0x8000000000000001, 64);
  for (let i: usize = 72; i < 200; i += 8) store<u64>(st + i, 0);
  keccakF(st);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(dst + i, load<u64>(st + i));
}

/** Light cache of n items at `cache`, item 0 (keccak512 of the seed) already written by the host. */
export function buildCache(cache: usize, n: u32, scratch: usize): void {
  for (let i: u32 = 1; i < n; i++) keccak512_64(cache + (<usize>(i - 1) << 6), cache + (<usize>i << 6), scratch);
  const tmp = scratch + TMP;
  for (let round = 0; round < 3; round++) {
    for (let i: u32 = 0; i < n; i++) {
      const item = cache + (<usize>i << 6);
      const prev = cache + (<usize>(i == 0 ? n - 1 : i - 1) << 6);
      const other = cache + (<usize>(load<u32>(item) % n) << 6);
      for (let k: usize = 0; k < 64; k += 16) v128.store(tmp + k, v128.xor(v128.load(prev + k), v128.load(other + k)));
      keccak512_64(tmp, item, scratch);
    }
  }
}

/** Dataset page (items 2·page and 2·page+1, 128 bytes) into out; both items in one loop so their reads overlap. */
export function datasetPage(cache: usize, n: u32, page: u32, out: usize, scratch: usize): void {
  const a = scratch + MIX_A;
  const b = scratch + MIX_B;
  const indexA = page << 1;
  const indexB = indexA + 1;
  memory.copy(a, cache + (<usize>(indexA % n) << 6), 64);
  memory.copy(b, cache + (<usize>(indexB % n) << 6), 64);
  store<u32>(a, load<u32>(a) ^ indexA);
  store<u32>(b, load<u32>(b) ^ indexB);
  keccak512_64(a, a, scratch);
  keccak512_64(b, b, scratch);
  const prime = i32x4.splat(FNV_PRIME);
  for (let j: u32 = 0; j < 256; j++) {
    const slot = <usize>(j & 15) << 2;
    const pa = cache + (<usize>(fnv(indexA ^ j, load<u32>(a + slot)) % n) << 6);
    const pb = cache + (<usize>(fnv(indexB ^ j, load<u32>(b + slot)) % n) << 6);
    for (let k: usize = 0; k < 64; k += 16) {
      v128.store(a + k, v128.xor(i32x4.mul(v128.load(a + k), prime), v128.load(pa + k)));
      v128.store(b + k, v128.xor(i32x4.mul(v128.load(b + k), prime), v128.load(pb + k)));
    }
  }
  keccak512_64(a, out, scratch);
  keccak512_64(b, out + 64, scratch);
}

/** Computes a page into the memoised dataset and publishes it (bit in `ready`, count in progress[1]). */
function memoisePage(cache: usize, n: u32, page: u32, dataset: usize, ready: usize, progress: usize, scratch: usize): void {
  datasetPage(cache, n, page, dataset + (<usize>page << 7), scratch);
  const bit: u32 = 1 << (page & 31);
  const before = atomic.or<u32>(ready + (<usize>(page >> 5) << 2), bit);
  if ((before & bit) == 0) atomic.add<u32>(progress + 4, 1);
}

/** seed = keccak512(header ‖ nonce) of the 40 bytes at io into `seed`, and the 128-byte mix = seed ‖ seed. */
function startHash(io: usize, seed: usize, mix: usize, st: usize): void {
  for (let i: usize = 0; i < 40; i += 8) store<u64>(st + i, load<u64>(io + i));
  store<u64>(st, 0x01, 40);
  for (let i: usize = 48; i < 200; i += 8) store<u64>(st + i, 0);
  store<u64>(st, 0x8000000000000000, 64);
  keccakF(st);
  memory.copy(seed, st, 64);
  memory.copy(mix, st, 64);
  memory.copy(mix + 64, st, 64);
}

/** mix = fnv(mix, page) over 32 words. */
@inline function foldPage(mix: usize, page: usize): void {
  const prime = i32x4.splat(FNV_PRIME);
  for (let k: usize = 0; k < 128; k += 16) v128.store(mix + k, v128.xor(i32x4.mul(v128.load(mix + k), prime), v128.load(page + k)));
}

/** Compressed mix (8 words) to result, then final = keccak256(seed ‖ cmix) (96 bytes at rate 136) to result+32. */
function finishHash(mix: usize, seed: usize, result: usize, st: usize): void {
  for (let i: usize = 0; i < 8; i++) {
    const m = mix + (i << 4);
    store<u32>(result + (i << 2), fnv(fnv(fnv(load<u32>(m), load<u32>(m, 4)), load<u32>(m, 8)), load<u32>(m, 12)));
  }
  memory.copy(st, seed, 64);
  memory.copy(st + 64, result, 32);
  store<u64>(st, 0x01, 96);
  for (let i: usize = 104; i < 200; i += 8) store<u64>(st + i, 0);
  store<u64>(st, 0x8000000000000000, 128);
  keccakF(st);
  memory.copy(result + 32, st, 32);
}

@inline function pageIndex(i: u32, s0: u32, mix: usize, numPages: u32): u32 {
  return fnv(i ^ s0, load<u32>(mix + (<usize>(i & 31) << 2))) % numPages;
}

/**
 * Ethash of the header hash and nonce at scratch+IO_HEADER; mix digest and final hash to scratch+IO_RESULT.
 * dataset == 0: light mode (pages from the cache); otherwise the memoised dataset (missing pages computed here).
 */
export function hashimoto(cache: usize, n: u32, numPages: u32, dataset: usize, ready: usize, progress: usize, scratch: usize): void {
  const seed = scratch + SEED;
  const mix = scratch + MIX;
  startHash(scratch + IO_HEADER, seed, mix, scratch + ST);
  const s0 = load<u32>(seed);
  for (let i: u32 = 0; i < 64; i++) {
    const page = pageIndex(i, s0, mix, numPages);
    let src: usize;
    if (dataset == 0) {
      src = scratch + PAGE;
      datasetPage(cache, n, page, src, scratch);
    } else {
      src = dataset + (<usize>page << 7);
      if ((atomic.load<u32>(ready + (<usize>(page >> 5) << 2)) & (1 << (page & 31))) == 0) {
        memoisePage(cache, n, page, dataset, ready, progress, scratch);
      }
    }
    foldPage(mix, src);
  }
  finishHash(mix, seed, scratch + IO_RESULT, scratch + ST);
}

/**
 * Two light-mode hashes at once (inputs at IO_HEADER and IO_HEADER_2, results at IO_RESULT and IO_RESULT_2): their
 * page computations run in lockstep, four independent item chains whose cache reads overlap. Light verification
 * waits on memory, so a pair costs far less than two singles.
 */
export function hashimotoPair(cache: usize, n: u32, numPages: u32, scratch: usize): void {
  const st = scratch + ST;
  const seedX = scratch + SEED;
  const seedY = scratch + SEED_2;
  const mixX = scratch + MIX;
  const mixY = scratch + MIX_2;
  startHash(scratch + IO_HEADER, seedX, mixX, st);
  startHash(scratch + IO_HEADER_2, seedY, mixY, st);
  const s0x = load<u32>(seedX);
  const s0y = load<u32>(seedY);
  for (let i: u32 = 0; i < 64; i++) {
    datasetPages2(cache, n, pageIndex(i, s0x, mixX, numPages), pageIndex(i, s0y, mixY, numPages), scratch + PAGE, scratch + PAGE_2, scratch);
    foldPage(mixX, scratch + PAGE);
    foldPage(mixY, scratch + PAGE_2);
  }
  finishHash(mixX, seedX, scratch + IO_RESULT, st);
  finishHash(mixY, seedY, scratch + IO_RESULT_2, st);
}

/** Items of two pages (of two different hashes) in one loop: datasetPage twice, with the four chains interleaved. */
function datasetPages2(cache: usize, n: u32, pageX: u32, pageY: u32, outX: usize, outY: usize, scratch: usize): void {
  const a = scratch + MIX_A;
  const b = scratch + MIX_B;
  const c = scratch + MIX_C;
  const d = scratch + MIX_D;
  const ia = pageX << 1;
  const ib = ia + 1;
  const ic = pageY << 1;
  const id = ic + 1;
  memory.copy(a, cache + (<usize>(ia % n) << 6), 64);
  memory.copy(b, cache + (<usize>(ib % n) << 6), 64);
  memory.copy(c, cache + (<usize>(ic % n) << 6), 64);
  memory.copy(d, cache + (<usize>(id % n) << 6), 64);
  store<u32>(a, load<u32>(a) ^ ia);
  store<u32>(b, load<u32>(b) ^ ib);
  store<u32>(c, load<u32>(c) ^ ic);
  store<u32>(d, load<u32>(d) ^ id);
  keccak512_64(a, a, scratch);
  keccak512_64(b, b, scratch);
  keccak512_64(c, c, scratch);
  keccak512_64(d, d, scratch);
  const prime = i32x4.splat(FNV_PRIME);
  for (let j: u32 = 0; j < 256; j++) {
    const slot = <usize>(j & 15) << 2;
    const pa = cache + (<usize>(fnv(ia ^ j, load<u32>(a + slot)) % n) << 6);
    const pb = cache + (<usize>(fnv(ib ^ j, load<u32>(b + slot)) % n) << 6);
    const pc = cache + (<usize>(fnv(ic ^ j, load<u32>(c + slot)) % n) << 6);
    const pd = cache + (<usize>(fnv(id ^ j, load<u32>(d + slot)) % n) << 6);
    for (let k: usize = 0; k < 64; k += 16) {
      v128.store(a + k, v128.xor(i32x4.mul(v128.load(a + k), prime), v128.load(pa + k)));
      v128.store(b + k, v128.xor(i32x4.mul(v128.load(b + k), prime), v128.load(pb + k)));
      v128.store(c + k, v128.xor(i32x4.mul(v128.load(c + k), prime), v128.load(pc + k)));
      v128.store(d + k, v128.xor(i32x4.mul(v128.load(d + k), prime), v128.load(pd + k)));
    }
  }
  keccak512_64(a, outX, scratch);
  keccak512_64(b, outX + 64, scratch);
  keccak512_64(c, outY, scratch);
  keccak512_64(d, outY + 64, scratch);
}

/** Claims `chunk` pages of the memoised dataset (progress[0]) and computes those not ready; returns pages claimed. */
export function fillChunk(cache: usize, n: u32, numPages: u32, dataset: usize, ready: usize, progress: usize, chunk: u32, scratch: usize): u32 {
  const start = atomic.add<u32>(progress, chunk);
  if (start >= numPages) return 0;
  const end = min(numPages, start + chunk);
  for (let page = start; page < end; page++) {
    if ((atomic.load<u32>(ready + (<usize>(page >> 5) << 2)) & (1 << (page & 31))) == 0) {
      memoisePage(cache, n, page, dataset, ready, progress, scratch);
    }
  }
  return end - start;
}

/** ι round constants (Keccak reference LFSR values). */
@inline function roundConstant(round: i32): u64 {
  switch (round) {
    case 0: return 0x0000000000000001;
    case 1: return 0x0000000000008082;
    case 2: return 0x800000000000808a;
    case 3: return 0x8000000080008000;
    case 4: return 0x000000000000808b;
    case 5: return 0x0000000080000001;
    case 6: return 0x8000000080008081;
    case 7: return 0x8000000000008009;
    case 8: return 0x000000000000008a;
    case 9: return 0x0000000000000088;
    case 10: return 0x0000000080008009;
    case 11: return 0x000000008000000a;
    case 12: return 0x000000008000808b;
    case 13: return 0x800000000000008b;
    case 14: return 0x8000000000008089;
    case 15: return 0x8000000000008003;
    case 16: return 0x8000000000008002;
    case 17: return 0x8000000000000080;
    case 18: return 0x000000000000800a;
    case 19: return 0x800000008000000a;
    case 20: return 0x8000000080008081;
    case 21: return 0x8000000000008080;
    case 22: return 0x0000000080000001;
    case 23: return 0x8000000080008008;
  }
  return 0;
}

/** Keccak-f[1600] over the 25 lanes at `st`, every lane in a local (unrolled θ, ρ, π, χ per round). */
export function keccakF(st: usize): void {
  let a0 = load<u64>(st, 0);
  let a1 = load<u64>(st, 8);
  let a2 = load<u64>(st, 16);
  let a3 = load<u64>(st, 24);
  let a4 = load<u64>(st, 32);
  let a5 = load<u64>(st, 40);
  let a6 = load<u64>(st, 48);
  let a7 = load<u64>(st, 56);
  let a8 = load<u64>(st, 64);
  let a9 = load<u64>(st, 72);
  let a10 = load<u64>(st, 80);
  let a11 = load<u64>(st, 88);
  let a12 = load<u64>(st, 96);
  let a13 = load<u64>(st, 104);
  let a14 = load<u64>(st, 112);
  let a15 = load<u64>(st, 120);
  let a16 = load<u64>(st, 128);
  let a17 = load<u64>(st, 136);
  let a18 = load<u64>(st, 144);
  let a19 = load<u64>(st, 152);
  let a20 = load<u64>(st, 160);
  let a21 = load<u64>(st, 168);
  let a22 = load<u64>(st, 176);
  let a23 = load<u64>(st, 184);
  let a24 = load<u64>(st, 192);
  for (let round = 0; round < 24; round++) {
    const c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    const c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    const c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    const c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    const c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    a0 ^= d0;
    a1 ^= d1;
    a2 ^= d2;
    a3 ^= d3;
    a4 ^= d4;
    a5 ^= d0;
    a6 ^= d1;
    a7 ^= d2;
    a8 ^= d3;
    a9 ^= d4;
    a10 ^= d0;
    a11 ^= d1;
    a12 ^= d2;
    a13 ^= d3;
    a14 ^= d4;
    a15 ^= d0;
    a16 ^= d1;
    a17 ^= d2;
    a18 ^= d3;
    a19 ^= d4;
    a20 ^= d0;
    a21 ^= d1;
    a22 ^= d2;
    a23 ^= d3;
    a24 ^= d4;
    const b0 = a0;
    const b10 = rotl<u64>(a1, 1);
    const b20 = rotl<u64>(a2, 62);
    const b5 = rotl<u64>(a3, 28);
    const b15 = rotl<u64>(a4, 27);
    const b16 = rotl<u64>(a5, 36);
    const b1 = rotl<u64>(a6, 44);
    const b11 = rotl<u64>(a7, 6);
    const b21 = rotl<u64>(a8, 55);
    const b6 = rotl<u64>(a9, 20);
    const b7 = rotl<u64>(a10, 3);
    const b17 = rotl<u64>(a11, 10);
    const b2 = rotl<u64>(a12, 43);
    const b12 = rotl<u64>(a13, 25);
    const b22 = rotl<u64>(a14, 39);
    const b23 = rotl<u64>(a15, 41);
    const b8 = rotl<u64>(a16, 45);
    const b18 = rotl<u64>(a17, 15);
    const b3 = rotl<u64>(a18, 21);
    const b13 = rotl<u64>(a19, 8);
    const b14 = rotl<u64>(a20, 18);
    const b24 = rotl<u64>(a21, 2);
    const b9 = rotl<u64>(a22, 61);
    const b19 = rotl<u64>(a23, 56);
    const b4 = rotl<u64>(a24, 14);
    a0 = b0 ^ (~b1 & b2);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7);
    a6 = b6 ^ (~b7 & b8);
    a7 = b7 ^ (~b8 & b9);
    a8 = b8 ^ (~b9 & b5);
    a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
    a0 ^= roundConstant(round);
  }
  store<u64>(st, a0, 0);
  store<u64>(st, a1, 8);
  store<u64>(st, a2, 16);
  store<u64>(st, a3, 24);
  store<u64>(st, a4, 32);
  store<u64>(st, a5, 40);
  store<u64>(st, a6, 48);
  store<u64>(st, a7, 56);
  store<u64>(st, a8, 64);
  store<u64>(st, a9, 72);
  store<u64>(st, a10, 80);
  store<u64>(st, a11, 88);
  store<u64>(st, a12, 96);
  store<u64>(st, a13, 104);
  store<u64>(st, a14, 112);
  store<u64>(st, a15, 120);
  store<u64>(st, a16, 128);
  store<u64>(st, a17, 136);
  store<u64>(st, a18, 144);
  store<u64>(st, a19, 152);
  store<u64>(st, a20, 160);
  store<u64>(st, a21, 168);
  store<u64>(st, a22, 176);
  store<u64>(st, a23, 184);
  store<u64>(st, a24, 192);
}
