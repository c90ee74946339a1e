import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPostgresBin, postgresBinCandidates } from '../helpers/pg.js';

describe('test PostgreSQL helper', () => {
  it('finds a directory with initdb and pg_ctl on this machine', () => {
    const dir = findPostgresBin();
    expect(fs.existsSync(path.join(dir, 'initdb'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'pg_ctl'))).toBe(true);
    expect(postgresBinCandidates()).toContain('/usr/local/bin');
  });

  it('throws a clear error instead of skipping when no binaries exist', () => {
    expect(() => findPostgresBin(['/nonexistent/bin'])).toThrow(/PostgreSQL server binaries \(initdb, pg_ctl\) not found.*install them/);
  });
});
