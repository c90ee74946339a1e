/** Percentiles, event-loop delay and memory readings, formatted the same way in every benchmark. */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Nearest-rank percentile of an ascending-sorted array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summary of raw samples (any unit); sorts a copy. */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  const mean = arr.length === 0 ? NaN : arr.reduce((a, b) => a + b, 0) / arr.length;
  return { count: arr.length, p50: percentile(arr, 50), p99: percentile(arr, 99), max: arr[arr.length - 1] ?? NaN, mean };
}

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const LOOP_SAMPLE_MS = 1;

/**
 * Event-loop blocking while a phase runs. The histogram records the time between ticks of a 1 ms timer, so an
 * idle loop reads ~1 ms: that tick is subtracted, leaving how late the loop was (how long it was busy/blocked).
 */
export class LoopDelay {
  private readonly h: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  start(): void {
    this.h.reset();
    this.h.enable();
  }
  stop(): { p50Ms: number; p99Ms: number; maxMs: number } {
    this.h.disable();
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
    return { p50Ms: ms(this.h.percentile(50)), p99Ms: ms(this.h.percentile(99)), maxMs: ms(this.h.max) };
  }
}

/**
 * A full garbage collection, for before/after memory readings. Uses global.gc when node runs with --expose-gc
 * (NODE_OPTIONS=--expose-gc); otherwise turns the flag on at run time and takes gc from a fresh context, which
 * V8 allows. Returns how it was obtained so the output can say so.
 */
export function getGc(): { gc: () => void; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const fromContext = runInNewContext('gc') as unknown;
    if (typeof fromContext === 'function') return { gc: fromContext as () => void, how: 'v8.setFlagsFromString(--expose-gc) at run time' };
  } catch {
    // fall through: no way to force a collection
  }
  return { gc: () => undefined, how: 'none (no forced GC: memory figures include garbage)' };
}

/** Settles memory: a few full collections with a turn of the event loop between them. */
export async function settleMemory(gc: () => void): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage();
}

export interface LoopResult {
  ops: number;
  elapsedMs: number;
  nsPerOp: number;
  opsPerSecond: number;
}

/**
 * Calls `fn(i)` for i = 0.. until `maxOps` calls or `maxMs` elapsed, whichever comes first (the clock is read
 * every 256 calls, so the time bound overshoots by at most that many calls).
 */
export function boundedLoop(maxOps: number, maxMs: number, fn: (i: number) => void): LoopResult {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(maxMs * 1e6));
  let i = 0;
  while (i < maxOps) {
    fn(i);
    i++;
    if ((i & 255) === 0 && process.hrtime.bigint() > deadline) break;
  }
  const elapsedNs = Number(process.hrtime.bigint() - start);
  return { ops: i, elapsedMs: elapsedNs / 1e6, nsPerOp: elapsedNs / Math.max(1, i), opsPerSecond: (i * 1e9) / elapsedNs };
}
