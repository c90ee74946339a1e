import { describe, expect, it } from 'vitest';
import { btcToSatoshi, satoshiToBtcString } from '../../../src/chains/bitcoin/amount.js';

describe('BTC amounts', () => {
  it('formats satoshi as exact 8-decimal strings', () => {
    expect(satoshiToBtcString(0n)).toBe('0.00000000');
    expect(satoshiToBtcString(1n)).toBe('0.00000001');
    expect(satoshiToBtcString(123456789n)).toBe('1.23456789');
    expect(satoshiToBtcString(2_100_000_000_000_000n)).toBe('21000000.00000000');
    expect(satoshiToBtcString(-150n)).toBe('-0.00000150');
  });
  it('reads node amounts exactly, including the values floats cannot hold', () => {
    expect(btcToSatoshi(50.0002044)).toBe(5_000_020_440n);
    expect(btcToSatoshi(48.9999859)).toBe(4_899_998_590n);
    expect(btcToSatoshi(0.1)).toBe(10_000_000n);
    expect(btcToSatoshi(1.41e-5)).toBe(1410n);
    expect(btcToSatoshi(1e-8)).toBe(1n);
    expect(btcToSatoshi('20999999.97690000')).toBe(2_099_999_997_690_000n);
    expect(btcToSatoshi(-0.0000141)).toBe(-1410n);
  });
  it('refuses sub-satoshi and non-finite amounts', () => {
    expect(() => btcToSatoshi(0.000000001)).toThrow(/finer than 1e-8 of a coin/);
    expect(() => btcToSatoshi(Number.NaN)).toThrow(/not finite/);
    expect(() => btcToSatoshi('abc')).toThrow(/not a decimal/);
  });
  it('round-trips through the string form', () => {
    for (const sat of [0n, 1n, 99_999_999n, 100_000_000n, 1_234_567_890_123n]) expect(btcToSatoshi(satoshiToBtcString(sat))).toBe(sat);
  });
});
