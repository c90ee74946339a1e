import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keccak256, keccak512 } from '../../../src/core/ethash/index.js';
import { ethashVectors, hex } from './vectors.js';

describe('keccak (original padding, as Ethash uses it)', () => {
  for (const k of ethashVectors.keccak) {
    it(`hashes "${Buffer.from(k.input_hex, 'hex').toString()}" like the reference, not like SHA-3`, () => {
      const input = hex(k.input_hex);
      expect(keccak256(input).toString('hex')).toBe(k.keccak256);
      expect(keccak512(input).toString('hex')).toBe(k.keccak512);
      expect(keccak256(input).toString('hex')).not.toBe(k.NOT_keccak_sha3_256);
      // Node's sha3-* is NIST SHA-3: the recorded contrast values are what it gives.
      expect(createHash('sha3-256').update(input).digest('hex')).toBe(k.NOT_keccak_sha3_256);
      expect(createHash('sha3-512').update(input).digest('hex')).toBe(k.NOT_keccak_sha3_512);
    });
  }

  // Multi-block absorption is covered by the light-cache digests (keccak256 over 16 MB) in cache.test.ts.
  it('hashes 32 bytes as the seed chain needs (seed of epoch 1 = keccak256 of 32 zero bytes)', () => {
    const epoch1 = ethashVectors.sizes.find((s) => s.epoch === 1)!;
    expect(keccak256(Buffer.alloc(32)).toString('hex')).toBe(epoch1.seed);
  });
});
