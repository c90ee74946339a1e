import { describe, expect, it } from 'vitest';
import { RequestQueue } from '../../src/stratum/request-queue.js';

interface Probe {
  handled: number[];
  errors: number[];
  backlog: boolean[];
  release: Map<number, () => void>;
}

/** Items divisible by 3 are slow (a promise released by hand), 7 throws, the rest are handled at once. */
function makeQueue(pauseAbove: number): { queue: RequestQueue<number>; probe: Probe } {
  const probe: Probe = { handled: [], errors: [], backlog: [], release: new Map() };
  const queue = new RequestQueue<number>({
    handle: (n) => {
      probe.handled.push(n);
      if (n === 7) throw new Error('seven');
      if (n % 3 === 0) return new Promise<void>((resolve) => probe.release.set(n, resolve));
    },
    onError: (n) => probe.errors.push(n),
    onBacklog: (over) => probe.backlog.push(over),
    pauseAbove,
  });
  return { queue, probe };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('RequestQueue', () => {
  it('hands items over strictly in order: nothing passes an item whose handling has not settled', async () => {
    const { queue, probe } = makeQueue(100);
    for (let n = 1; n <= 8; n++) queue.push(n);
    expect(probe.handled).toEqual([1, 2, 3]);
    expect(queue.backlog).toBe(5);
    probe.release.get(3)?.();
    await tick();
    // 4, 5 at once, 6 holds; 7 throws later and the queue goes on.
    expect(probe.handled).toEqual([1, 2, 3, 4, 5, 6]);
    probe.release.get(6)?.();
    await tick();
    expect(probe.handled).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(probe.errors).toEqual([7]);
    expect(queue.backlog).toBe(0);
  });

  it('a rejected promise is reported and the next item still runs', async () => {
    const handled: number[] = [];
    const errors: unknown[] = [];
    const queue = new RequestQueue<number>({
      handle: (n) => {
        handled.push(n);
        return n === 1 ? Promise.reject(new Error('boom')) : undefined;
      },
      onError: (_n, err) => errors.push((err as Error).message),
      onBacklog: () => undefined,
      pauseAbove: 4,
    });
    queue.push(1);
    queue.push(2);
    await tick();
    expect(handled).toEqual([1, 2]);
    expect(errors).toEqual(['boom']);
  });

  it('asks to pause above the bound and to resume once half of it is left', async () => {
    const { queue, probe } = makeQueue(4);
    queue.push(3); // held
    for (let n = 10; n < 14; n++) queue.push(n === 12 ? 12 : n);
    expect(probe.backlog).toEqual([]);
    queue.push(14);
    expect(probe.backlog).toEqual([true]);
    expect(queue.backlog).toBe(5);
    // 10, 11 run, 12 holds (divisible by 3) with 13, 14 left: 2 <= 4 / 2, so reading resumes.
    probe.release.get(3)?.();
    await tick();
    expect(probe.handled).toEqual([3, 10, 11, 12]);
    expect(probe.backlog).toEqual([true, false]);
  });

  it('stop drops what waits and handles nothing more', async () => {
    const { queue, probe } = makeQueue(10);
    queue.push(3);
    queue.push(4);
    queue.stop();
    queue.push(5);
    probe.release.get(3)?.();
    await tick();
    expect(probe.handled).toEqual([3]);
    expect(queue.backlog).toBe(0);
  });
});
