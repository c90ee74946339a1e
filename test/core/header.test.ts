import { describe, expect, it } from 'vitest';
import { loadVector } from '../helpers/vectors.js';
import { hashHeader, prevHashFromStratum, serializeHeader, stratumPrevHash } from '../../src/core/header.js';
import { bufToBigIntBE, hexToBuf, reverseBuf, reverseHex } from '../../src/core/bytes.js';
import { sha256d } from '../../src/core/hash.js';
import { bitsToTarget } from '../../src/core/target.js';

interface HeaderVector {
  name: string;
  fields: { version: number; previousblockhash: string; merkleroot: string; time: number; bits: string; nonce: number };
  header_hex: string;
  sha256d_raw_hex: string;
  hash: string;
  target_from_bits: string;
  hash_le_target: boolean;
}
const mainnet = loadVector<{ headers: HeaderVector[] }>('bitcoin-mainnet-headers.json');
const regtest = loadVector<{
  mined_block: { hash: string; header_hex: string; getblock_verbosity_0: string };
  regtest_genesis: { hash: string; header_hex: string };
}>('bitcoin-regtest-templates.json');

describe('block header serialization and hashing (mainnet vectors)', () => {
  it('has the four recorded headers', () => expect(mainnet.headers).toHaveLength(4));
  for (const v of mainnet.headers) {
    describe(v.name, () => {
      const header = serializeHeader({
        version: v.fields.version,
        prevHash: hexToBuf(reverseHex(v.fields.previousblockhash)),
        merkleRoot: hexToBuf(reverseHex(v.fields.merkleroot)),
        time: v.fields.time,
        bits: parseInt(v.fields.bits, 16),
        nonce: v.fields.nonce,
      });
      it('serializes the fields to header_hex', () => expect(header.toString('hex')).toBe(v.header_hex));
      it('hashes to the recorded digest and display hash', () => {
        const h = hashHeader(header);
        expect(h.digest.toString('hex')).toBe(v.sha256d_raw_hex);
        expect(h.displayHex).toBe(v.hash);
        expect(h.value).toBe(BigInt('0x' + v.hash));
      });
      it('meets the target decoded from its bits', () => {
        const target = bitsToTarget(v.fields.bits);
        expect(target).toBe(BigInt('0x' + v.target_from_bits));
        expect(hashHeader(header).value <= target).toBe(v.hash_le_target);
      });
    });
  }

  it('rejects hashes of the wrong length', () => {
    expect(() => serializeHeader({ version: 1, prevHash: Buffer.alloc(31), merkleRoot: Buffer.alloc(32), time: 0, bits: 0, nonce: 0 })).toThrow(
      /32 bytes/,
    );
  });

  it('hashes the regtest genesis and the mined regtest block', () => {
    expect(hashHeader(hexToBuf(regtest.regtest_genesis.header_hex)).displayHex).toBe(regtest.regtest_genesis.hash);
    expect(hashHeader(hexToBuf(regtest.mined_block.header_hex)).displayHex).toBe(regtest.mined_block.hash);
    expect(regtest.mined_block.getblock_verbosity_0.slice(0, 160)).toBe(regtest.mined_block.header_hex);
    const value = bufToBigIntBE(reverseBuf(sha256d(hexToBuf(regtest.mined_block.header_hex))));
    expect(value <= bitsToTarget('207fffff')).toBe(true);
  });
});

describe('stratum prevhash word swap', () => {
  for (const v of mainnet.headers) {
    it(`round-trips the prev hash of ${v.name}`, () => {
      const internal = hexToBuf(reverseHex(v.fields.previousblockhash));
      const wire = stratumPrevHash(internal);
      expect(wire).toHaveLength(64);
      expect(prevHashFromStratum(wire).equals(internal)).toBe(true);
    });
  }
  it('byte-swaps each 4-byte word of the internal order', () => {
    // Block 1's prev hash (genesis) in internal order is 6fe28c0a b6f1b372 ... 00000000.
    const internal = hexToBuf(reverseHex('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'));
    const wire = stratumPrevHash(internal);
    expect(wire.slice(0, 8)).toBe('0a8ce26f');
    expect(wire.slice(56, 64)).toBe('00000000');
    const words = internal.toString('hex').match(/.{8}/g)!;
    const swapped = words.map((w) => w.match(/../g)!.reverse().join('')).join('');
    expect(wire).toBe(swapped);
  });
});
