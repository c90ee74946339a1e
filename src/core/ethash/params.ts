/**
 * Ethash epochs, seeds and sizes (revision 23, as Ethereum mainnet and the chfast/ethash library define them).
 * Pure: no I/O.
 */
import { keccak256 } from './keccak.js';

export const EPOCH_LENGTH = 30000;
/** Bytes of one light-cache item (and of one dataset item): a keccak-512 output. */
export const HASH_BYTES = 64;
/** Bytes the hashimoto loop reads per access: two consecutive dataset items. */
export const MIX_BYTES = 128;
export const CACHE_ROUNDS = 3;
export const DATASET_PARENTS = 256;
export const ACCESSES = 64;
const CACHE_BYTES_INIT = 2 ** 24;
const CACHE_BYTES_GROWTH = 2 ** 17;
const DATASET_BYTES_INIT = 2 ** 30;
const DATASET_BYTES_GROWTH = 2 ** 23;
/** The reference library's largest epoch (its size tables stop there); sizes stay below 2^53 far beyond it. */
export const MAX_EPOCH = 32639;

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new RangeError(`ethash epoch must be an integer 0..${MAX_EPOCH}, got ${epoch}`);
  }
}

export function epochOf(blockNumber: number): number {
  if (!Number.isSafeInteger(blockNumber) || blockNumber < 0) {
    throw new RangeError(`block number must be a non-negative integer, got ${blockNumber}`);
  }
  const epoch = Math.floor(blockNumber / EPOCH_LENGTH);
  checkEpoch(epoch);
  return epoch;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** Largest size below the linear growth whose item count is prime (stops cyclic access patterns). */
function primeSized(start: number, itemBytes: number): number {
  let size = start - itemBytes;
  while (!isPrime(size / itemBytes)) size -= 2 * itemBytes;
  return size;
}

const cacheSizes = new Map<number, number>();
const datasetSizes = new Map<number, number>();

/** Light-cache size of an epoch in bytes (a prime number of 64-byte items). */
export function lightCacheSize(epoch: number): number {
  checkEpoch(epoch);
  let size = cacheSizes.get(epoch);
  if (size === undefined) {
    size = primeSized(CACHE_BYTES_INIT + CACHE_BYTES_GROWTH * epoch, HASH_BYTES);
    cacheSizes.set(epoch, size);
  }
  return size;
}

/** Full-dataset size of an epoch in bytes (a prime number of 128-byte items). */
export function fullDatasetSize(epoch: number): number {
  checkEpoch(epoch);
  let size = datasetSizes.get(epoch);
  if (size === undefined) {
    size = primeSized(DATASET_BYTES_INIT + DATASET_BYTES_GROWTH * epoch, MIX_BYTES);
    datasetSizes.set(epoch, size);
  }
  return size;
}

/** Seeds are a keccak-256 chain; memoised so a high epoch is walked once. */
const seeds: Buffer[] = [Buffer.alloc(32)];

/** The 32-byte seed hash of an epoch: keccak256 applied `epoch` times to 32 zero bytes. */
export function seedHash(epoch: number): Buffer {
  checkEpoch(epoch);
  while (seeds.length <= epoch) seeds.push(keccak256(seeds[seeds.length - 1]!));
  return Buffer.from(seeds[epoch]!);
}

/** The epoch whose seed hash is `seed`, searching 0..maxEpoch; null when none matches. */
export function epochOfSeed(seed: Uint8Array, maxEpoch = MAX_EPOCH): number | null {
  if (seed.length !== 32) return null;
  const target = Buffer.from(seed.buffer, seed.byteOffset, 32);
  const last = Math.min(maxEpoch, MAX_EPOCH);
  for (let epoch = 0; epoch <= last; epoch++) {
    if (epoch === seeds.length) seeds.push(keccak256(seeds[epoch - 1]!));
    if (seeds[epoch]!.equals(target)) return epoch;
  }
  return null;
}
