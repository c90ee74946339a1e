/**
 * Property tests for the node template parsers: recorded templates (Bitcoin Core regtest, the real GXC node) with
 * random fields replaced, removed or the whole answer replaced by garbage. The parser either returns a template
 * whose checked fields hold, or throws an Error naming the problem; nothing else escapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBlockTemplate } from '../../src/chains/bitcoin/template.js';
import { parseGxcTemplate } from '../../src/chains/gxc/template.js';
import { loadVector } from '../helpers/vectors.js';

type Json = Record<string, unknown>;

const bitcoin = loadVector<{ template_with_mempool: { result: Json }; template_empty_mempool: { result: Json } }>('bitcoin-regtest-templates.json');
const gxcTranscript = loadVector<{ exchanges: { request: { method: string }; response: { result?: unknown } }[] }>('gxc-node-transcript.json');
const gxcTemplate = gxcTranscript.exchanges.find((e) => e.request.method === 'getblocktemplate' && e.response.result)!.response.result as Json;

/** A copy of `base` with `edits` applied: each replaces (or deletes) a top-level field or a field of a transaction. */
function mutate(base: Json, edits: { key: string; tx: number | null; value: unknown; remove: boolean }[]): Json {
  const copy = structuredClone(base);
  for (const e of edits) {
    const txs = copy.transactions as Json[] | undefined;
    const target = e.tx !== null && Array.isArray(txs) && txs.length > 0 ? txs[e.tx % txs.length] : copy;
    if (typeof target !== 'object' || target === null) continue;
    const keys = Object.keys(target);
    const key = keys.length > 0 && !e.key.startsWith('+') ? keys[e.key.length % keys.length]! : e.key;
    if (e.remove) delete (target as Json)[key];
    else (target as Json)[key] = e.value;
  }
  return copy;
}

const edit = fc.record({
  key: fc.string({ maxLength: 6 }),
  tx: fc.option(fc.nat(), { nil: null }),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constant('<html><body>502 Bad Gateway</body></html>'),
    fc.double(),
    fc.constant(-1),
    fc.constant(2 ** 60),
  ),
  remove: fc.boolean(),
});
const answers = (base: Json) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => mutate(base, edits) as unknown) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, '<html>error</html>', [], {}, 'ok', 0) },
  );

function expectPreciseError(err: unknown, prefix: RegExp): void {
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(prefix);
  expect((err as Error).message.length).toBeLessThan(4000);
}

describe('template parsers under hostile node answers', () => {
  it('the recorded templates parse', () => {
    expect(parseBlockTemplate(bitcoin.template_with_mempool.result).transactions.length).toBeGreaterThan(0);
    expect(parseGxcTemplate(gxcTemplate).height).toBeGreaterThan(0);
  });

  it('Bitcoin getblocktemplate: a checked template or a precise error', () => {
    fc.assert(
      fc.property(answers(bitcoin.template_with_mempool.result), (answer) => {
        try {
          const t = parseBlockTemplate(answer);
          expect(t.previousblockhash).toMatch(/^[0-9a-fA-F]{64}$/);
          expect(Number.isSafeInteger(t.coinbasevalue) && t.coinbasevalue >= 0).toBe(true);
          expect(t.mintime).toBeLessThanOrEqual(t.curtime);
          for (const tx of t.transactions) expect(tx.data).toMatch(/^(?:[0-9a-fA-F]{2})+$/);
        } catch (err) {
          expectPreciseError(err, /^invalid getblocktemplate result: /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('GXC getblocktemplate: a checked template or a precise error', () => {
    fc.assert(
      fc.property(answers(gxcTemplate), (answer) => {
        try {
          const t = parseGxcTemplate(answer, 1_700_000_000);
          expect(t.previousBlockHash).toMatch(/^[0-9a-f]{64}$/);
          expect(Number.isFinite(t.difficulty)).toBe(true);
          expect(Array.isArray(t.transactions)).toBe(true);
        } catch (err) {
          expectPreciseError(err, /^GXC block template /);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
