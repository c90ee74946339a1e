import { describe, expect, it } from 'vitest';
import { CounterExtranonce1Allocator, createExtranonce1Allocator } from '../../src/stratum/extranonce.js';

describe('CounterExtranonce1Allocator', () => {
  it('puts the instance id in the first byte and a 3-byte counter after it', () => {
    const a = new CounterExtranonce1Allocator(0xab);
    expect(a.allocate()?.toString('hex')).toBe('ab000000');
    expect(a.allocate()?.toString('hex')).toBe('ab000001');
    const b = new CounterExtranonce1Allocator(7, 2 ** 24, 0xfffffe);
    expect(b.allocate()?.toString('hex')).toBe('07fffffe');
    expect(b.allocate()?.toString('hex')).toBe('07ffffff');
    expect(b.allocate()?.toString('hex')).toBe('07000000');
  });

  it('never hands out a live value, reuses released ones, and reports exhaustion', () => {
    const a = new CounterExtranonce1Allocator(1, 4);
    const got = [a.allocate(), a.allocate(), a.allocate(), a.allocate()].map((b) => b?.toString('hex'));
    expect(new Set(got).size).toBe(4);
    expect(a.allocate()).toBeNull();
    a.release(Buffer.from('01000002', 'hex'));
    expect(a.allocate()?.toString('hex')).toBe('01000002');
    expect(a.allocate()).toBeNull();
    expect(a.liveCount).toBe(4);
  });

  it('skips values still held when the counter wraps', () => {
    const a = new CounterExtranonce1Allocator(0, 4);
    const held = [a.allocate(), a.allocate(), a.allocate(), a.allocate()];
    a.release(held[1] as Buffer);
    a.release(held[3] as Buffer);
    expect(a.allocate()?.toString('hex')).toBe('00000001');
    expect(a.allocate()?.toString('hex')).toBe('00000003');
  });

  it('ignores values from another instance on release', () => {
    const a = new CounterExtranonce1Allocator(2, 2);
    a.allocate();
    a.allocate();
    a.release(Buffer.from('03000000', 'hex'));
    expect(a.allocate()).toBeNull();
  });

  it('keeps 10,000 live values unique', () => {
    const a = new CounterExtranonce1Allocator(9);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add((a.allocate() as Buffer).toString('hex'));
    expect(seen.size).toBe(10_000);
  });

  it('rejects an instance id outside a byte', () => {
    expect(() => new CounterExtranonce1Allocator(256)).toThrow(RangeError);
    expect(() => new CounterExtranonce1Allocator(-1)).toThrow(RangeError);
  });

  it('createExtranonce1Allocator starts anywhere in the counter space but keeps the instance byte', () => {
    const a = createExtranonce1Allocator(0x42);
    expect(a.size).toBe(4);
    const v = a.allocate() as Buffer;
    expect(v[0]).toBe(0x42);
    const w = a.allocate() as Buffer;
    expect((w.readUInt32BE(0) & 0xffffff) - (v.readUInt32BE(0) & 0xffffff)).toSatisfy((d: number) => d === 1 || d === 1 - 2 ** 24);
  });
});
