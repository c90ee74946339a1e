import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { isPostgresUnavailable } from '../../src/store/postgres/unavailable.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('isPostgresUnavailable: which failures the spool takes', () => {
  it('takes connection-level failures', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '08006', '08001', '57P01', '57P02', '57P03', '53100', '53300'])
      expect(isPostgresUnavailable(withCode(code)), code).toBe(true);
    expect(isPostgresUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isPostgresUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isPostgresUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    // node's happy-eyeballs connect reports every address it tried.
    expect(isPostgresUnavailable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(true);
  });

  it('refuses failures in the data or the credentials (spooling them would replay a failure forever)', () => {
    for (const code of ['23505', '23514', '22P02', '42P01', '28P01', '40001', '57014'])
      expect(isPostgresUnavailable(withCode(code)), code).toBe(false);
    expect(isPostgresUnavailable(new StoreError('share #0: hash must be a string'))).toBe(false);
    expect(isPostgresUnavailable(new Error('duplicate key value violates unique constraint "shares_pool_share_key"'))).toBe(false);
    expect(isPostgresUnavailable('ECONNREFUSED')).toBe(false);
    expect(isPostgresUnavailable(null)).toBe(false);
  });
});
