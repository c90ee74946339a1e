/**
 * Property tests for every SV1 param checker: arbitrary params never throw, a refusal always carries a message,
 * and what is accepted is exactly what the checker promises (types, lengths, lowercase hex).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negotiateConfigure } from '../../src/stratum/configure.js';
import {
  checkAuthorizeParams,
  checkConfigureParams,
  checkSubmitParams,
  parseDifficulty,
  parseMask,
  parsePasswordOptions,
} from '../../src/stratum/params.js';

const hexString = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const anyParam = fc.oneof(fc.jsonValue({ maxDepth: 2 }), hexString(0, 20), fc.string({ maxLength: 300 }));
const anyParams = fc.array(anyParam, { maxLength: 8 });
const nearSubmit = fc.tuple(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 80 }),
  hexString(0, 20),
  hexString(0, 10),
  hexString(0, 10),
  fc.option(hexString(0, 10), { nil: undefined }),
);

function refusal(r: { ok: boolean; message?: string }): void {
  if (!r.ok) {
    expect(typeof r.message).toBe('string');
    expect(r.message!.length).toBeGreaterThan(0);
    expect(r.message!.length).toBeLessThan(400);
  }
}

describe('SV1 param checkers under arbitrary params', () => {
  it('mining.submit', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyParams,
          nearSubmit.map((t) => t.filter((x) => x !== undefined) as unknown[]),
        ),
        fc.integer({ min: 1, max: 16 }),
        (params, en2) => {
          const r = checkSubmitParams(params, en2);
          refusal(r);
          if (r.ok) {
            expect(r.value.extranonce2).toMatch(new RegExp(`^[0-9a-f]{${en2 * 2}}$`));
            expect(r.value.ntime).toMatch(/^[0-9a-f]{8}$/);
            expect(r.value.nonce).toMatch(/^[0-9a-f]{8}$/);
            if (r.value.versionBits !== undefined) expect(r.value.versionBits).toMatch(/^[0-9a-f]{1,8}$/);
            expect(r.value.jobId.length).toBeLessThanOrEqual(64);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mining.authorize and its password options', () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        const r = checkAuthorizeParams(params);
        refusal(r);
        if (r.ok) {
          expect(typeof r.value.username).toBe('string');
          expect(r.value.username.length).toBeGreaterThan(0);
          const options = parsePasswordOptions(r.value.password);
          refusal(options);
          if (options.ok && options.value.difficulty !== undefined) expect(options.value.difficulty).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (password) => {
        const r = parsePasswordOptions(password);
        refusal(r);
        if (r.ok && r.value.difficulty !== undefined) expect(Number.isFinite(r.value.difficulty) && r.value.difficulty > 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('mining.configure, negotiated against the pool mask', () => {
    const configureParams = fc.oneof(
      anyParams,
      fc.tuple(
        fc.array(fc.constantFrom('version-rolling', 'minimum-difficulty', 'subscribe-extranonce', 'info', 'x'), { maxLength: 5 }),
        fc.dictionary(
          fc.constantFrom('version-rolling.mask', 'version-rolling.min-bit-count', 'minimum-difficulty.value', 'info.connection-url'),
          fc.oneof(fc.jsonValue({ maxDepth: 1 }), hexString(0, 10)),
        ),
      ),
    );
    fc.assert(
      fc.property(configureParams, fc.integer({ min: 0, max: 0xffffffff }), (params, poolMask) => {
        const r = checkConfigureParams(params as unknown[]);
        refusal(r);
        if (!r.ok) return;
        const outcome = negotiateConfigure(r.value, poolMask);
        if (outcome.versionMask !== undefined) expect((outcome.versionMask & ~poolMask) >>> 0).toBe(0);
        if (outcome.minimumDifficulty !== undefined) expect(outcome.minimumDifficulty).toBeGreaterThan(0);
        expect(() => JSON.stringify(outcome.result)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('difficulty and mask values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.string({ maxLength: 30 }), fc.double()), (raw) => {
        const d = parseDifficulty(raw);
        if (d !== null) expect(Number.isFinite(d) && d > 0).toBe(true);
        const m = parseMask(raw);
        if (m !== null) expect(Number.isInteger(m) && m >= 0 && m <= 0xffffffff).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
