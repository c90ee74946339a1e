/** In-process Ethash (light mode) for tests: one cache per epoch, a bounded nonce search. */
import type { EthashHashResult, EthashSolution } from '../../src/chains/types.js';
import { buildLightCache, epochOf, hashimotoLight, type LightCache } from '../../src/core/ethash/index.js';

const caches = new Map<number, LightCache>();

export function lightHash(blockNumber: number, headerHash: string, nonce: bigint): EthashHashResult {
  const epoch = epochOf(blockNumber);
  let cache = caches.get(epoch);
  if (!cache) {
    cache = buildLightCache(epoch);
    caches.set(epoch, cache);
  }
  const r = hashimotoLight(cache, Buffer.from(headerHash, 'hex'), nonce);
  return { mixDigest: r.mixDigest.toString('hex'), finalHash: r.finalHash.toString('hex') };
}

/** The first nonce from `start` whose final hash is at or below `target` (throws after `maxNonces`). */
export function searchEthash(blockNumber: number, headerHash: string, target: bigint, start = 0n, maxNonces = 5000): EthashSolution {
  for (let nonce = start; nonce < start + BigInt(maxNonces); nonce++) {
    const r = lightHash(blockNumber, headerHash, nonce);
    if (BigInt(`0x${r.finalHash}`) <= target) return { nonce, ...r };
  }
  throw new Error(`no Ethash solution within ${maxNonces} nonces`);
}
