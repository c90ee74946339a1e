/** What bench/soak.ts concludes from its samples: memory growth, event-loop stalls, and lost or doubled shares. Pure. */

export interface RssSample {
  /** Seconds since the load phase began. */
  t: number;
  rssBytes: number;
}

export interface LoopSample {
  t: number;
  /** prom-client's event-loop delay since the previous scrape, seconds (the timer period included). */
  maxSeconds: number;
  p99Seconds: number;
}

/**
 * Memory growth: mean RSS of the first minute after warm-up against the mean of the last minute of the load.
 * Null when the load was too short for two disjoint minutes after the warm-up.
 */
export function memoryGrowth(
  samples: readonly RssSample[],
  warmupSeconds: number,
  loadSeconds: number,
  windowSeconds = 60,
): { firstMiB: number; lastMiB: number; growthPercent: number } | null {
  const lastStart = loadSeconds - windowSeconds;
  if (lastStart < warmupSeconds + windowSeconds) return null;
  const mean = (from: number, to: number): number => {
    const inside = samples.filter((s) => s.t >= from && s.t < to);
    return inside.length === 0 ? Number.NaN : inside.reduce((a, s) => a + s.rssBytes, 0) / inside.length;
  };
  const first = mean(warmupSeconds, warmupSeconds + windowSeconds);
  const last = mean(lastStart, loadSeconds);
  if (!Number.isFinite(first) || !Number.isFinite(last)) return null;
  return { firstMiB: first / 2 ** 20, lastMiB: last / 2 ** 20, growthPercent: ((last - first) / first) * 100 };
}

/**
 * The longest stall: the largest event-loop delay seen, less the monitor's timer period (a loop that is never
 * blocked still reports one period between two ticks).
 */
export function loopStalls(samples: readonly LoopSample[], resolutionMs: number): { maxStallMs: number; worstP99Ms: number } {
  let max = 0;
  let p99 = 0;
  for (const s of samples) {
    max = Math.max(max, s.maxSeconds * 1000);
    p99 = Math.max(p99, s.p99Seconds * 1000);
  }
  return { maxStallMs: Math.max(0, max - resolutionMs), worstP99Ms: Math.max(0, p99 - resolutionMs) };
}

export interface ShareAudit {
  acked: number;
  /** Acknowledged by the pool, not in the store. */
  lost: number;
  /** Acknowledged, in the store more than once. */
  doubled: number;
  /** Acknowledged twice on the wire (a client bug if ever non-zero: each share has its own extranonce2). */
  ackedTwice: number;
  /** In the store, not acknowledged to the clients (answers still in flight when the load ended). */
  storedNotAcked: number;
  examplesLost: string[];
}

/** Every acknowledged share must be stored exactly once. `stored`: hash -> rows in the store. */
export function auditShares(ackedHashes: Iterable<string>, stored: ReadonlyMap<string, number>): ShareAudit {
  const seen = new Set<string>();
  const audit: ShareAudit = { acked: 0, lost: 0, doubled: 0, ackedTwice: 0, storedNotAcked: 0, examplesLost: [] };
  for (const hash of ackedHashes) {
    audit.acked++;
    if (seen.has(hash)) {
      audit.ackedTwice++;
      continue;
    }
    seen.add(hash);
    const rows = stored.get(hash) ?? 0;
    if (rows === 0) {
      audit.lost++;
      if (audit.examplesLost.length < 5) audit.examplesLost.push(hash);
    } else if (rows > 1) audit.doubled++;
  }
  for (const hash of stored.keys()) if (!seen.has(hash)) audit.storedNotAcked++;
  return audit;
}

/** Reads a value from Prometheus text: the first series of that name whose labels contain `label` (if given). */
export function promValue(text: string, name: string, label?: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (label !== undefined && !rest.slice(0, rest.indexOf('}') + 1).includes(label)) continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return null;
}
