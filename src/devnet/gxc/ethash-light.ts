/**
 * The devnet's own Ethash, for re-verifying `pow_ethash` blocks: light mode, synchronous (one block at a time), the
 * light cache of an epoch built on first use (~0.3 s for epoch 0, once) and the last two epochs kept.
 */
import { buildLightCache, epochOf, hashimotoLight, type LightCache } from '../../core/ethash/index.js';
import type { DevnetEthash } from './submit.js';

const KEPT_EPOCHS = 2;

export function createDevnetEthash(): DevnetEthash {
  const caches = new Map<number, LightCache>();
  return (blockNumber, headerHash, nonce) => {
    const epoch = epochOf(blockNumber);
    let cache = caches.get(epoch);
    if (!cache) {
      cache = buildLightCache(epoch);
      caches.set(epoch, cache);
      while (caches.size > KEPT_EPOCHS) caches.delete(caches.keys().next().value as number);
    }
    const r = hashimotoLight(cache, Buffer.from(headerHash, 'hex'), nonce);
    return { mixDigest: r.mixDigest.toString('hex'), finalHash: r.finalHash.toString('hex') };
  };
}
