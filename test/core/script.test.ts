import { describe, expect, it } from 'vitest';
import { loadVector } from '../helpers/vectors.js';
import { bip34HeightPush, pushData, scriptNum } from '../../src/core/script.js';

interface Regtest {
  bip34_coinbase_heights: Array<{ height: number; coinbase_scriptsig: string; bip34_prefix: string }>;
  derived: { bip34_height_push_hex: string };
}
const r = loadVector<Regtest>('bitcoin-regtest-templates.json');

describe('BIP34 height push vs node-built coinbases', () => {
  it('has 14 recorded heights', () => expect(r.bip34_coinbase_heights).toHaveLength(14));
  for (const h of r.bip34_coinbase_heights) {
    it(`height ${h.height} -> ${h.bip34_prefix}`, () => {
      const push = bip34HeightPush(h.height).toString('hex');
      expect(push).toBe(h.bip34_prefix);
      expect(h.coinbase_scriptsig.startsWith(push)).toBe(true);
    });
  }
  it('height 102 (template_with_mempool) pushes 0166', () => expect(bip34HeightPush(102).toString('hex')).toBe(r.derived.bip34_height_push_hex));
  it('larger heights use minimal little-endian script numbers', () => {
    expect(bip34HeightPush(0).toString('hex')).toBe('00');
    expect(bip34HeightPush(32768).toString('hex')).toBe('03008000');
    expect(bip34HeightPush(840000).toString('hex')).toBe('0340d10c');
    expect(bip34HeightPush(8388608).toString('hex')).toBe('0400008000');
  });
});

describe('script numbers and pushes', () => {
  it('adds a sign byte when the top bit is set', () => {
    expect(scriptNum(127).toString('hex')).toBe('7f');
    expect(scriptNum(128).toString('hex')).toBe('8000');
    expect(scriptNum(255).toString('hex')).toBe('ff00');
    expect(scriptNum(256).toString('hex')).toBe('0001');
  });
  it('rejects negative and unsafe numbers', () => {
    expect(() => scriptNum(-1)).toThrow(RangeError);
    expect(() => scriptNum(1.5)).toThrow(RangeError);
  });
  it('uses direct pushes below 76 bytes and OP_PUSHDATA1/2 above', () => {
    expect(pushData(Buffer.alloc(75)).subarray(0, 1).toString('hex')).toBe('4b');
    expect(pushData(Buffer.alloc(76)).subarray(0, 2).toString('hex')).toBe('4c4c');
    expect(pushData(Buffer.alloc(256)).subarray(0, 3).toString('hex')).toBe('4d0001');
  });
});
