import { describe, expect, it } from 'vitest';
import { bigIntToHex64, bufToBigIntLE, hexToBuf, isHex, readVarInt, reverseHex, varInt } from '../../src/core/bytes.js';

describe('CompactSize', () => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [0xfc, 'fc'],
    [0xfd, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
    [0x100000000, 'ff0000000001000000'],
  ];
  for (const [n, hex] of cases) {
    it(`${n} <-> ${hex}`, () => {
      expect(varInt(n).toString('hex')).toBe(hex);
      expect(readVarInt(Buffer.from('aa' + hex, 'hex'), 1)).toEqual({ value: n, size: hex.length / 2 });
    });
  }
  it('throws past the end', () => expect(() => readVarInt(Buffer.alloc(0), 0)).toThrow(RangeError));
});

describe('hex helpers', () => {
  it('validates hex', () => {
    expect(isHex('00ff')).toBe(true);
    expect(isHex('0')).toBe(false);
    expect(isHex('zz')).toBe(false);
    expect(isHex('00ff', 2)).toBe(true);
    expect(isHex('00ff', 3)).toBe(false);
    expect(() => hexToBuf('abc')).toThrow(/hex/);
  });
  it('reverses display <-> internal order and reads little-endian values', () => {
    expect(reverseHex('0102030a')).toBe('0a030201');
    expect(bufToBigIntLE(Buffer.from('0100', 'hex'))).toBe(1n);
    expect(bigIntToHex64(255n)).toBe('0'.repeat(62) + 'ff');
    expect(() => bigIntToHex64(1n << 256n)).toThrow(RangeError);
  });
});
