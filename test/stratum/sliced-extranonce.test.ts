import { describe, expect, it } from 'vitest';
import { EXTRANONCE_SLICES, SlicedExtranonce1Allocator } from '../../src/stratum/cluster/partitioned-allocator.js';

describe('extranonce1 slices for socket worker processes', () => {
  it('keeps every process inside its own slice of the counter, under the instance byte', () => {
    const sliceSpace = (1 << 24) / EXTRANONCE_SLICES;
    const seen = new Set<string>();
    for (const slice of [0, 1, 2, 63]) {
      // Started near the end of the slice: the counter wraps inside the slice, never into the next one.
      const a = new SlicedExtranonce1Allocator(7, slice, sliceSpace - 2);
      for (let i = 0; i < 5; i++) {
        const v = a.allocate()!;
        expect(v[0]).toBe(7);
        const counter = v.readUIntBE(1, 3);
        expect(Math.floor(counter / sliceSpace)).toBe(slice);
        expect(seen.has(v.toString('hex'))).toBe(false);
        seen.add(v.toString('hex'));
      }
    }
  });

  it('frees its own values only, and refuses a slice outside 0..63', () => {
    const one = new SlicedExtranonce1Allocator(1, 1, 0);
    const two = new SlicedExtranonce1Allocator(1, 2, 0);
    const a = one.allocate()!;
    const b = two.allocate()!;
    one.release(b);
    one.release(a);
    // Round robin: a freed value comes back only after the counter went round; the next one is a's successor.
    expect(one.allocate()!.readUIntBE(1, 3)).toBe(a.readUIntBE(1, 3) + 1);
    expect(() => new SlicedExtranonce1Allocator(1, 64)).toThrow(/0\.\.63/);
  });
});
