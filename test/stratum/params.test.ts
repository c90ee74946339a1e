import { describe, expect, it } from 'vitest';
import { checkAuthorizeParams, checkConfigureParams, checkSubmitParams, parseDifficulty, parsePasswordOptions } from '../../src/stratum/params.js';

const good = ['addr.w1', '1a', '0000000a', '6553f100', 'DEADBEEF'];

describe('checkSubmitParams', () => {
  it('accepts 5 params and lowercases hex', () => {
    const r = checkSubmitParams(good, 4);
    expect(r).toEqual({
      ok: true,
      value: { workerName: 'addr.w1', jobId: '1a', extranonce2: '0000000a', ntime: '6553f100', nonce: 'deadbeef' },
    });
  });

  it('accepts the BIP310 6th param and left-pads short version bits', () => {
    const r = checkSubmitParams([...good, '1fffe000'], 4);
    expect(r.ok && r.value.versionBits).toBe('1fffe000');
    const short = checkSubmitParams([...good, 'e000'], 4);
    expect(short.ok && short.value.versionBits).toBe('0000e000');
  });

  it.each([
    [[...good.slice(0, 4)], /expects 5 or 6 params.*got 4/],
    [[...good, '0', 'extra'], /expects 5 or 6 params.*got 7/],
    [['addr.w1', 26, '0000000a', '6553f100', 'deadbeef'], /param 2 \(job_id\) must be a string, got number/],
    [['addr.w1', '1a', null, '6553f100', 'deadbeef'], /param 3 \(extranonce2\) must be a string, got null/],
    [['addr.w1', '1a', '0000000a', '6553f100', 3735928559], /param 5 \(nonce\) must be a string, got number/],
    [['addr.w1', '1a', '000a', '6553f100', 'deadbeef'], /extranonce2 must be 8 hex characters \(4 bytes\), got '000a'/],
    [['addr.w1', '1a', '0000000g', '6553f100', 'deadbeef'], /extranonce2 must be 8 hex/],
    [['addr.w1', '1a', '0000000a', '6553f1', 'deadbeef'], /ntime must be 8 hex characters/],
    [['addr.w1', '1a', '0000000a', '6553f100', 'xyz'], /nonce must be 8 hex characters/],
    [['addr.w1', '', '0000000a', '6553f100', 'deadbeef'], /job_id must be 1\.\.64 characters/],
    [[...good, '123456789'], /version_bits must be 1\.\.8 hex/],
    [[...good, ['1fffe000']], /param 6 \(version_bits\) must be a string, got array/],
  ])('refuses %j with a precise message', (params, re) => {
    const r = checkSubmitParams(params as unknown[], 4);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(re);
  });

  it('checks extranonce2 against the configured size', () => {
    expect(checkSubmitParams(['w', 'j', 'ab', '00000000', '00000000'], 1).ok).toBe(true);
    expect(checkSubmitParams(['w', 'j', 'abab', '00000000', '00000000'], 1).ok).toBe(false);
  });
});

describe('checkAuthorizeParams / parsePasswordOptions', () => {
  it('reads username and an optional password', () => {
    expect(checkAuthorizeParams(['addr.w', 'x'])).toEqual({ ok: true, value: { username: 'addr.w', password: 'x' } });
    expect(checkAuthorizeParams(['addr.w'])).toEqual({ ok: true, value: { username: 'addr.w', password: '' } });
    expect(checkAuthorizeParams(['addr.w', null])).toEqual({ ok: true, value: { username: 'addr.w', password: '' } });
  });

  it('refuses a missing or non-string username and a non-string password', () => {
    expect(checkAuthorizeParams([])).toMatchObject({ ok: false, message: expect.stringMatching(/username.*got undefined/) });
    expect(checkAuthorizeParams([42, 'x'])).toMatchObject({ ok: false, message: expect.stringMatching(/got number/) });
    expect(checkAuthorizeParams(['a', 5])).toMatchObject({ ok: false, message: expect.stringMatching(/password.*got number/) });
  });

  it('finds d= in the usual password forms', () => {
    expect(parsePasswordOptions('x')).toEqual({ ok: true, value: {} });
    expect(parsePasswordOptions('d=1024')).toEqual({ ok: true, value: { difficulty: 1024 } });
    expect(parsePasswordOptions('x,d=0.5')).toEqual({ ok: true, value: { difficulty: 0.5 } });
    expect(parsePasswordOptions('foo=1;diff=2048')).toEqual({ ok: true, value: { difficulty: 2048 } });
    expect(parsePasswordOptions('d=abc')).toMatchObject({ ok: false, message: expect.stringMatching(/d= must be a positive number/) });
    expect(parsePasswordOptions('d=0')).toMatchObject({ ok: false });
  });

  it('parses difficulties from numbers and numeric strings only', () => {
    expect(parseDifficulty(512)).toBe(512);
    expect(parseDifficulty('0.001')).toBe(0.001);
    expect(parseDifficulty('1e3')).toBe(1000);
    expect(parseDifficulty(-1)).toBeNull();
    expect(parseDifficulty('12abc')).toBeNull();
    expect(parseDifficulty(Number.POSITIVE_INFINITY)).toBeNull();
    expect(parseDifficulty(null)).toBeNull();
  });
});

describe('checkConfigureParams', () => {
  it('wants an array of names and an optional object', () => {
    expect(checkConfigureParams([['version-rolling'], { 'version-rolling.mask': 'ffffffff' }]).ok).toBe(true);
    expect(checkConfigureParams([['version-rolling']]).ok).toBe(true);
    expect(checkConfigureParams(['version-rolling']).ok).toBe(false);
    expect(checkConfigureParams([[1]]).ok).toBe(false);
    expect(checkConfigureParams([[], []]).ok).toBe(false);
  });
});
