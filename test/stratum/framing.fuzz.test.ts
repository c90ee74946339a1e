/** Property tests: the framer never throws, never loses or invents a line, and bounds what it buffers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer } from '../../src/stratum/framing.js';

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  out.push(bytes.subarray(start));
  return out;
}

describe('LineFramer under arbitrary input', () => {
  it('yields the same lines however the bytes are chunked', () => {
    // Any text without line breaks (a leading BOM is dropped by the UTF-8 decoder, as it should be).
    const line = fc.string({ maxLength: 60, unit: 'grapheme' }).map((s) => s.replace(/[\r\n\uFEFF]/g, ''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), (lines, offsets, crlf) => {
        const bytes = Buffer.from(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''), 'utf8');
        const framer = new LineFramer(1024);
        const frames = cut(bytes, offsets).flatMap((chunk) => framer.push(chunk));
        expect(frames).toEqual(lines.filter((l) => l.trim() !== '').map((text) => ({ kind: 'line', text })));
        expect(framer.bufferedBytes).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on random bytes, never buffers past the limit, and stops after too-long', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.integer({ min: 1, max: 200 }), (chunks, limit) => {
        const framer = new LineFramer(limit);
        let overflowed = false;
        for (const chunk of chunks) {
          const frames = framer.push(Buffer.from(chunk));
          if (overflowed) expect(frames).toEqual([]);
          for (const f of frames) {
            if (f.kind === 'line') expect(Buffer.byteLength(f.text, 'utf8')).toBeLessThanOrEqual(limit);
            if (f.kind === 'too-long') {
              expect(f.bytes).toBeGreaterThan(limit);
              overflowed = true;
            }
            if (f.kind === 'invalid-utf8') expect(f.bytes).toBeGreaterThan(0);
          }
          expect(framer.bufferedBytes).toBeLessThanOrEqual(limit + 1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
