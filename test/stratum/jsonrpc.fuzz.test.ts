/** Property tests: any line parses to a well-formed message or a precise `invalid`, and replies stay valid JSON. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorReply, parseMessage, successReply } from '../../src/stratum/jsonrpc.js';

const anyLine = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc
    .record({ id: fc.jsonValue({ maxDepth: 1 }), method: fc.jsonValue({ maxDepth: 1 }), params: fc.jsonValue({ maxDepth: 3 }) })
    .map((o) => JSON.stringify(o)),
  fc
    .record({
      id: fc.oneof(fc.integer(), fc.string({ maxLength: 200 }), fc.constant(null)),
      method: fc.string({ maxLength: 200 }),
      params: fc.array(fc.jsonValue({ maxDepth: 2 })),
    })
    .map((o) => JSON.stringify(o)),
);

describe('parseMessage under arbitrary lines', () => {
  it('never throws and always gives a well-formed message', () => {
    fc.assert(
      fc.property(anyLine, (line) => {
        const msg = parseMessage(line);
        switch (msg.kind) {
          case 'invalid':
            expect(msg.message).toMatch(/^(Parse error: |Invalid request: )/);
            break;
          case 'request':
            expect(typeof msg.request.method).toBe('string');
            expect(msg.request.method.length).toBeGreaterThan(0);
            expect(msg.request.method.length).toBeLessThanOrEqual(128);
            expect(Array.isArray(msg.request.params)).toBe(true);
            break;
          case 'response':
            break;
        }
        const id = msg.kind === 'request' ? msg.request.id : msg.id;
        expect(id === null || typeof id === 'number' || (typeof id === 'string' && id.length <= 64)).toBe(true);
        // Whatever came in, the reply the server writes is one line of valid JSON.
        for (const reply of [errorReply(id, 20, 'x'), successReply(id, true)]) {
          expect(reply.includes('\n')).toBe(false);
          expect(JSON.parse(reply)).toHaveProperty('error');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
