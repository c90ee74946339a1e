/**
 * Hashimoto: the Ethash proof of work over an epoch's dataset, with dataset pages either computed from the light
 * cache (light mode) or read from a dataset held in memory (full mode). Pure: no I/O, no allocation per access.
 */
import { datasetPage, FNV_PRIME, type LightCache } from './cache.js';
import { keccakF1600 } from './keccak.js';
import { ACCESSES, fullDatasetSize, MIX_BYTES } from './params.js';

export interface EthashResult {
  /** 32-byte mix digest (what miners submit beside the nonce). */
  mixDigest: Buffer;
  /** keccak256(seed ‖ mix digest), compared big-endian with the boundary. */
  finalHash: Buffer;
}

/** Writes dataset page `page` (items 2·page and 2·page+1, 32 words) into `out[0..32]`. */
export type PageSource = (page: number, out: Int32Array) => void;

const state = new Int32Array(50);
const stateBytes = new Uint8Array(state.buffer);
const seedWords = new Int32Array(16);
const mix = new Int32Array(32);
const page = new Int32Array(32);
const compressed = new Int32Array(8);

/** keccak512(header hash ‖ nonce as 8 little-endian bytes) into seedWords: the "seed" of one hashimoto run. */
function hashSeed(headerHash: Uint8Array, nonce: bigint): void {
  if (headerHash.length !== 32) throw new RangeError(`header hash must be 32 bytes, got ${headerHash.length}`);
  if (nonce < 0n || nonce > 0xffffffffffffffffn) throw new RangeError(`nonce must be a 64-bit unsigned integer, got ${nonce}`);
  state.fill(0);
  stateBytes.set(headerHash, 0);
  state[8] = Number(nonce & 0xffffffffn) | 0;
  state[9] = Number(nonce >> 32n) | 0;
  // 40-byte message at rate 72: padding 0x01 at byte 40 (word 10), 0x80 at byte 71 (top of word 17).
  state[10] = 0x01;
  state[17] = -0x80000000;
  keccakF1600(state);
  for (let i = 0; i < 16; i++) seedWords[i] = state[i]!;
}

/** keccak256(seed (64 bytes) ‖ compressed mix (32 bytes)), 96 bytes at rate 136. */
function finalHashOf(seed: Int32Array, cmix: Int32Array): Buffer {
  state.fill(0);
  for (let i = 0; i < 16; i++) state[i] = seed[i]!;
  for (let i = 0; i < 8; i++) state[16 + i] = cmix[i]!;
  state[24] = 0x01;
  state[33] = -0x80000000;
  keccakF1600(state);
  return Buffer.from(stateBytes.subarray(0, 32));
}

/** Hashimoto over `numPages` 128-byte dataset pages provided by `source`. */
export function hashimoto(numPages: number, source: PageSource, headerHash: Uint8Array, nonce: bigint): EthashResult {
  hashSeed(headerHash, nonce);
  const s0 = seedWords[0]!;
  for (let i = 0; i < 32; i++) mix[i] = seedWords[i & 15]!;
  for (let i = 0; i < ACCESSES; i++) {
    const p = ((Math.imul(i ^ s0, FNV_PRIME) ^ mix[i & 31]!) >>> 0) % numPages;
    source(p, page);
    for (let k = 0; k < 32; k++) mix[k] = Math.imul(mix[k]!, FNV_PRIME) ^ page[k]!;
  }
  for (let i = 0; i < 8; i++) {
    const a = mix[4 * i]!;
    const b = mix[4 * i + 1]!;
    const c = mix[4 * i + 2]!;
    const d = mix[4 * i + 3]!;
    compressed[i] = Math.imul(Math.imul(Math.imul(a, FNV_PRIME) ^ b, FNV_PRIME) ^ c, FNV_PRIME) ^ d;
  }
  const mixDigest = Buffer.from(new Uint8Array(compressed.buffer).slice());
  return { mixDigest, finalHash: finalHashOf(seedWords, compressed) };
}

/** A dataset view computed from the light cache only (each page costs 2 x 256 cache reads). */
export function lightPages(cache: LightCache): { numPages: number; source: PageSource } {
  return {
    numPages: fullDatasetSize(cache.epoch) / MIX_BYTES,
    source: (p, out) => datasetPage(cache, p, out),
  };
}

/** Ethash computed from the light cache only. */
export function hashimotoLight(cache: LightCache, headerHash: Uint8Array, nonce: bigint): EthashResult {
  const { numPages, source } = lightPages(cache);
  return hashimoto(numPages, source, headerHash, nonce);
}

/** The final hash implied by a SUBMITTED mix digest: cheap (two keccaks, no cache), as verifiers check it first. */
export function finalHashFromMix(headerHash: Uint8Array, nonce: bigint, mixDigest: Uint8Array): Buffer {
  if (mixDigest.length !== 32) throw new RangeError(`mix digest must be 32 bytes, got ${mixDigest.length}`);
  hashSeed(headerHash, nonce);
  const cmix = new Int32Array(8);
  new Uint8Array(cmix.buffer).set(mixDigest);
  return finalHashOf(seedWords, cmix);
}

/** keccak512(header hash ‖ nonce little-endian), 64 bytes: exposed for tests pinning down the nonce byte order. */
export function seedOf(headerHash: Uint8Array, nonce: bigint): Buffer {
  hashSeed(headerHash, nonce);
  return Buffer.from(new Uint8Array(seedWords.buffer).slice());
}
