/**
 * Latency histogram with 1 % wide logarithmic buckets from 1 µs: constant memory however many replies arrive, and
 * mergeable across client processes (they send their non-empty buckets). Percentiles are bucket upper bounds, so
 * they are at most 1 % high. Pure: no I/O.
 */

const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** 1 µs * 1.01^2400 ≈ 23 minutes: anything longer lands in the last bucket (the exact max is kept aside). */
const BUCKETS = 2400;

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private maxMs = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Non-empty buckets as [index, count] pairs, plus the exact max: what a client process sends. */
  toWire(): { buckets: Array<[number, number]>; max: number } {
    const buckets: Array<[number, number]> = [];
    this.counts.forEach((c, i) => {
      if (c > 0) buckets.push([i, c]);
    });
    return { buckets, max: this.maxMs };
  }

  merge(wire: { buckets: ReadonlyArray<readonly [number, number]>; max: number }): void {
    for (const [i, c] of wire.buckets) {
      if (!Number.isInteger(i) || i < 0 || i >= BUCKETS) throw new RangeError(`histogram bucket ${i} out of range`);
      this.counts[i] = (this.counts[i] ?? 0) + c;
      this.total += c;
    }
    if (wire.max > this.maxMs) this.maxMs = wire.max;
  }

  get count(): number {
    return this.total;
  }

  /** Upper bound of the bucket holding the p-th percentile (nearest rank); NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, MIN_MS * GROWTH ** i);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.total === 0 ? Number.NaN : this.maxMs,
    };
  }
}
