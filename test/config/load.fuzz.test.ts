/**
 * Property tests for the config loader: any config file content, any environment values: a Config or a
 * ConfigError with one "path: reason" line per problem, never another exception.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config/load.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-cfg-fuzz-'));
const file = path.join(dir, 'pool.json');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown>;

/** The defaults with one nested value replaced by an arbitrary one (the likely shape of a typo). */
function withValue(pathIndex: number, value: unknown): Json {
  const copy = structuredClone(DEFAULT_CONFIG) as unknown as Json;
  const paths: string[][] = [];
  const walk = (o: Json, at: string[]): void => {
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Json, [...at, k]);
      else paths.push([...at, k]);
    }
  };
  walk(copy, []);
  const p = paths[pathIndex % paths.length]!;
  let node = copy;
  for (const k of p.slice(0, -1)) node = node[k] as Json;
  node[p[p.length - 1]!] = value;
  return copy;
}

function outcome(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.message.split('\n')) expect(line).toMatch(/^\S.*: .+/);
  }
}

describe('loadConfig under arbitrary input', () => {
  it('file contents: JSON or not, any shape', () => {
    const contents = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.json({ maxDepth: 4 }),
      fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([i, v]) => JSON.stringify(withValue(i, v))),
    );
    fc.assert(
      fc.property(contents, (text) => {
        fs.writeFileSync(file, text);
        outcome(() => loadConfig({ configFile: file, env: {} }));
      }),
      { numRuns: 600 },
    );
  });

  it('environment values and flags for every setting', () => {
    const setting = fc.constantFrom(...SETTINGS);
    fc.assert(
      fc.property(fc.array(fc.tuple(setting, fc.string({ maxLength: 40 }), fc.boolean()), { maxLength: 5 }), (entries) => {
        const env: Record<string, string> = {};
        const flags: Record<string, unknown> = {};
        for (const [s, value, asFlag] of entries) {
          if (asFlag) flags[s.flag] = value;
          else env[s.env] = value;
        }
        outcome(() => loadConfig({ env, flags }));
      }),
      { numRuns: 1500 },
    );
  });
});
