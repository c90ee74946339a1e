/** The dashboard's number and time formatting (pure functions shared with the browser bundle). */
import { describe, expect, it } from 'vitest';
import {
  formatCoinUnits,
  formatCoins,
  formatDifficulty,
  formatDuration,
  formatExactTime,
  formatHashrate,
  formatPercent,
  formatRelativeTime,
  shortHash,
} from '../../src/web/app/format.js';

describe('hashrate in human units', () => {
  it.each([
    [0, '0 H/s'],
    [999, '999 H/s'],
    [1000, '1.00 kH/s'],
    [1_234_567, '1.23 MH/s'],
    [45.6e9, '45.6 GH/s'],
    [123e12, '123 TH/s'],
    [7.5e15, '7.50 PH/s'],
    [2.25e18, '2.25 EH/s'],
    // Above EH/s the unit stays EH/s rather than inventing one.
    [3e21, '3000 EH/s'],
  ])('%d H/s → %s', (value, text) => expect(formatHashrate(value)).toBe(text));

  it('says "—" for a missing figure instead of NaN', () => {
    expect(formatHashrate(null)).toBe('—');
    expect(formatHashrate(Number.NaN)).toBe('—');
  });
});

describe('difficulty', () => {
  it.each([
    [0.0001, '0.0001'],
    [0.000123456, '0.000123'],
    [1, '1.00'],
    [1024, '1.02 k'],
    [1.5e12, '1.50 T'],
    [83_148_355_189_239, '83.1 T'],
  ])('%d → %s', (value, text) => expect(formatDifficulty(value)).toBe(text));
});

describe('coin amounts with 8 decimals, never through floating point', () => {
  it('formats integer units exactly', () => {
    expect(formatCoinUnits('5000000000', 'GXC')).toBe('50.00000000 GXC');
    expect(formatCoinUnits('1')).toBe('0.00000001');
    expect(formatCoinUnits('0')).toBe('0.00000000');
    expect(formatCoinUnits(2_100_000_000_000_001n)).toBe('21,000,000.00000001');
    expect(formatCoinUnits('-150000000')).toBe('-1.50000000');
    expect(formatCoinUnits('abc')).toBe('—');
  });

  it('formats the API decimal strings with exactly 8 decimals', () => {
    expect(formatCoins('12.345', 'GXC')).toBe('12.34500000 GXC');
    expect(formatCoins('0.00000001')).toBe('0.00000001');
    expect(formatCoins('1000')).toBe('1,000.00000000');
    expect(formatCoins('0.123456789')).toBe('0.12345678');
    expect(formatCoins(null)).toBe('—');
    expect(formatCoins('1e5')).toBe('—');
  });
});

describe('times', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it.each([
    [now - 12_000, '12 s ago'],
    [now - 500, 'just now'],
    [now - 5 * 60_000, '5 min ago'],
    [now - 3 * 3_600_000, '3 h ago'],
    [now - 2 * 86_400_000, '2 d ago'],
    [now + 4_000, 'in 4 s'],
  ])('%d is %s', (t, text) => expect(formatRelativeTime(t, now)).toBe(text));

  it('reads ISO text and says never for missing or epoch-zero times', () => {
    expect(formatRelativeTime('2026-12-02T11:59:30.000Z', now)).toBe('30 s ago');
    expect(formatRelativeTime(null, now)).toBe('never');
    expect(formatRelativeTime('1970-01-01T00:00:00.000Z', now)).toBe('never');
  });

  it('gives the exact UTC time for the hover title', () => {
    expect(formatExactTime(now + 123)).toBe('2026-12-02 12:00:00 UTC');
    expect(formatExactTime(undefined)).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5 s');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(3_600 + 120)).toBe('1 h 2 min');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('other', () => {
  it('percent and short hashes', () => {
    expect(formatPercent(0.873)).toBe('87.3 %');
    expect(formatPercent(null)).toBe('—');
    expect(shortHash('00000000abcdef0123456789')).toBe('00000000…23456789');
    expect(shortHash('short')).toBe('short');
  });
});
