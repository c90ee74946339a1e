/** Property tests: whatever a node (or a proxy in front of it) answers, the reply becomes a result or a precise error. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpretReply } from '../../src/rpc/reply.js';
import { RpcError, RpcTransportError } from '../../src/rpc/types.js';

const bodies = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    '',
    '   ',
    'null',
    '{"result":null}',
    '{"error":{"code":-8,"message":"x"},"id":7}',
    '{"result":1,"error":null,"id":"7"}',
  ),
  fc
    .record(
      { id: fc.oneof(fc.constant(7), fc.jsonValue({ maxDepth: 1 })), result: fc.jsonValue({ maxDepth: 2 }), error: fc.jsonValue({ maxDepth: 2 }) },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);

describe('interpretReply under arbitrary HTTP answers', () => {
  it('never throws; errors are typed and say what was seen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), bodies, fc.boolean(), (status, body, sentCredentials) => {
        const outcome = interpretReply('getblocktemplate', 7, { status, body }, sentCredentials);
        if (outcome.kind === 'result') {
          expect(status).toBeLessThan(300);
          return;
        }
        if (outcome.kind === 'rpcError') expect(outcome.error).toBeInstanceOf(RpcError);
        else {
          expect(outcome.error).toBeInstanceOf(RpcTransportError);
          expect(typeof outcome.retryable).toBe('boolean');
        }
        expect(outcome.error.message).toContain('getblocktemplate');
        // A 100 MB HTML page is not copied into a log line: the preview is bounded.
        expect(outcome.error.message.length).toBeLessThan(1000);
      }),
      { numRuns: 5000 },
    );
  });

  it('a long HTML error page is summarised, not copied', () => {
    const outcome = interpretReply('getblocktemplate', 7, { status: 502, body: `<html>${'x'.repeat(1_000_000)}</html>` }, false);
    expect(outcome.kind).toBe('transport');
    expect(outcome.kind === 'transport' && outcome.retryable).toBe(true);
    expect(outcome.kind !== 'result' && outcome.error.message.length).toBeLessThan(400);
  });
});
