/**
 * The devnet's own Ethash: caches built on its worker thread ahead of time (the current epoch and the next one, so
 * neither the first Ethash block nor an epoch switch builds one on demand), results equal to the reference light
 * hash, and kept for the synchronous re-check that follows the computation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEthashVerifier } from '../../../src/chains/ethash/verifier.js';
import { createDevnetEthash } from '../../../src/devnet/gxc/ethash-light.js';
import { until } from '../../e2e/fixtures/env.js';
import { lightHash } from '../../helpers/ethash-light.js';

const verifier = createEthashVerifier({ threads: 1, maxCachedEpochs: 2 });
const ethash = createDevnetEthash({ verifier });
afterAll(async () => {
  await ethash.close();
  await verifier.close();
});

describe('devnet Ethash', () => {
  it('builds the current and the next epoch before any block asks', { timeout: 120_000 }, async () => {
    ethash.prepare(29_999);
    const cached = await until('epochs 0 and 1 built', 110_000, () => {
      const epochs = verifier.stats().epochsCached;
      return epochs.length === 2 ? epochs : null;
    });
    expect(cached).toEqual([0, 1]);
  });

  it('computes off the loop what the reference light hash gives, and keeps it for the re-check', { timeout: 120_000 }, async () => {
    const input = { blockNumber: 7, headerHash: 'ab'.repeat(32), nonce: 0xfedcba9876543210n };
    expect(ethash.known(input)).toBeUndefined();
    const computed = await ethash.compute(input);
    expect(computed).toEqual(lightHash(7, input.headerHash, input.nonce));
    expect(ethash.known(input)).toEqual(computed);
    expect(ethash.known({ ...input, nonce: input.nonce + 1n })).toBeUndefined();
  });
});
