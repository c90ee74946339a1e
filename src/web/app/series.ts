/** Chart series shaping, kept pure (no DOM, no uPlot) so it is tested under Node. */

export interface SeriesPoint {
  /** Unix seconds. */
  t: number;
  hashrate: number;
  networkDifficulty?: number | null;
  /** The "now" point drawn from live figures, replaced by the next one (not a stored minute). */
  live?: boolean;
}

/** Points kept before the first non-zero one, and the fewest points shown (an hour of minutes). */
const LEAD_POINTS = 10;
const MIN_POINTS = 60;

/**
 * A pool that started mining an hour ago would draw 23 hours of flat zero and a spike at the edge: the series
 * starts a little before its first hashrate instead, and shows at least an hour.
 */
export function trimLeadingEmpty<T extends SeriesPoint>(points: T[]): T[] {
  const first = points.findIndex((p) => p.hashrate > 0);
  if (first < 0) return points.slice(-MIN_POINTS);
  return points.slice(Math.max(0, Math.min(first - LEAD_POINTS, points.length - MIN_POINTS)));
}
