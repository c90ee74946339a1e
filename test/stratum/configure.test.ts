import { describe, expect, it } from 'vitest';
import { negotiateConfigure } from '../../src/stratum/configure.js';

const POOL = 0x1fffe000;

describe('negotiateConfigure (BIP310)', () => {
  it('answers mask = pool mask AND miner mask', () => {
    const out = negotiateConfigure(
      { extensions: ['version-rolling'], options: { 'version-rolling.mask': '00fff000', 'version-rolling.min-bit-count': 2 } },
      POOL,
    );
    expect(out.result).toEqual({ 'version-rolling': true, 'version-rolling.mask': '00ffe000' });
    expect(out.versionMask).toBe(0x00ffe000);
  });

  it('refuses when fewer bits than min-bit-count remain', () => {
    const out = negotiateConfigure(
      { extensions: ['version-rolling'], options: { 'version-rolling.mask': '00006000', 'version-rolling.min-bit-count': 4 } },
      POOL,
    );
    expect(out.result).toEqual({ 'version-rolling': false });
    expect(out.versionMask).toBe(0);
    expect(out.notes[0]).toMatch(/has 2 bits, miner needs 4/);
  });

  it('refuses a malformed mask', () => {
    const out = negotiateConfigure({ extensions: ['version-rolling'], options: { 'version-rolling.mask': 'zz' } }, POOL);
    expect(out.result['version-rolling']).toBe(false);
  });

  it('answers unknown extensions false and supports minimum-difficulty and subscribe-extranonce', () => {
    const out = negotiateConfigure(
      {
        extensions: ['info', 'minimum-difficulty', 'subscribe-extranonce', '__proto__'],
        options: { 'minimum-difficulty.value': 2048 },
      },
      POOL,
    );
    // "__proto__" from the wire stays an ordinary key of the answer.
    expect(JSON.stringify(out.result)).toBe('{"info":false,"minimum-difficulty":true,"subscribe-extranonce":true,"__proto__":false}');
    expect(out.minimumDifficulty).toBe(2048);
    expect(out.subscribeExtranonce).toBe(true);
    expect(out.versionMask).toBeUndefined();
  });

  it('uses the configured pool mask', () => {
    const out = negotiateConfigure({ extensions: ['version-rolling'], options: { 'version-rolling.mask': 'ffffffff' } }, 0x00c00000);
    expect(out.result['version-rolling.mask']).toBe('00c00000');
  });
});
