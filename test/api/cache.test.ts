/** The API's short-lived cache: one computation per key and lifetime, per store; failures are not kept. */
import { describe, expect, it } from 'vitest';
import { memo } from '../../src/api/cache.js';
import type { Store } from '../../src/store/types.js';

describe('memo', () => {
  it('shares one computation within its lifetime, per store, and recomputes after it', async () => {
    const a = {} as Store;
    const b = {} as Store;
    let runs = 0;
    const compute = async () => ++runs;
    const [x, y] = await Promise.all([memo(a, 'k', 50, compute), memo(a, 'k', 50, compute)]);
    expect([x, y, runs]).toEqual([1, 1, 1]);
    expect(await memo(b, 'k', 50, compute)).toBe(2);
    expect(await memo(a, 'other', 50, compute)).toBe(3);
    await new Promise((r) => setTimeout(r, 80));
    expect(await memo(a, 'k', 50, compute)).toBe(4);
  });

  it('does not keep a failure', async () => {
    const s = {} as Store;
    await expect(memo(s, 'k', 10_000, async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await memo(s, 'k', 10_000, async () => 7)).toBe(7);
  });
});
