import { describe, expect, it } from 'vitest';
import { LineFramer, type Frame } from '../../src/stratum/framing.js';

const lines = (frames: Frame[]): string[] => frames.map((f) => (f.kind === 'line' ? f.text : `<${f.kind}>`));

describe('LineFramer', () => {
  it('joins a line split across many chunks and splits pipelined lines in one chunk', () => {
    const f = new LineFramer(1024);
    expect(f.push(Buffer.from('{"id":1,"met'))).toEqual([]);
    expect(f.push(Buffer.from('hod":"a"}\n{"id":2}\n{"id"'))).toEqual([
      { kind: 'line', text: '{"id":1,"method":"a"}' },
      { kind: 'line', text: '{"id":2}' },
    ]);
    expect(f.bufferedBytes).toBe(5);
    expect(lines(f.push(Buffer.from(':3}\n')))).toEqual(['{"id":3}']);
    expect(f.bufferedBytes).toBe(0);
  });

  it('strips \\r\\n (also when \\r and \\n arrive in different chunks) and skips empty lines', () => {
    const f = new LineFramer(1024);
    expect(lines(f.push(Buffer.from('a\r\n\r\n\nb\r')))).toEqual(['a']);
    expect(lines(f.push(Buffer.from('\n')))).toEqual(['b']);
  });

  it('decodes a multi-byte UTF-8 character split between chunks', () => {
    const f = new LineFramer(1024);
    const bytes = Buffer.from('{"w":"é€"}\n', 'utf8');
    expect(f.push(bytes.subarray(0, 7))).toEqual([]);
    expect(lines(f.push(bytes.subarray(7)))).toEqual(['{"w":"é€"}']);
  });

  it('reports invalid UTF-8 as its own frame and keeps going', () => {
    const f = new LineFramer(1024);
    const out = f.push(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x16]), Buffer.from('\nok\n')]));
    expect(out).toEqual([
      { kind: 'invalid-utf8', bytes: 4 },
      { kind: 'line', text: 'ok' },
    ]);
  });

  it('accepts a line of exactly the limit (with \\r\\n) and refuses one byte more', () => {
    const f = new LineFramer(8);
    expect(lines(f.push(Buffer.from('12345678\r\n')))).toEqual(['12345678']);
    const g = new LineFramer(8);
    expect(g.push(Buffer.from('123456789\n'))).toEqual([{ kind: 'too-long', bytes: 9 }]);
  });

  it('stops at a line that never ends once it passes the limit, without buffering it', () => {
    const f = new LineFramer(16);
    expect(f.push(Buffer.alloc(10, 0x61))).toEqual([]);
    expect(f.push(Buffer.alloc(10, 0x61))).toEqual([{ kind: 'too-long', bytes: 20 }]);
    expect(f.bufferedBytes).toBe(0);
    expect(f.push(Buffer.from('x\n'))).toEqual([]);
  });

  it('emits complete lines before a too-long one in the same chunk', () => {
    const f = new LineFramer(4);
    expect(lines(f.push(Buffer.from('ab\nabcdefgh')))).toEqual(['ab', '<too-long>']);
  });
});
