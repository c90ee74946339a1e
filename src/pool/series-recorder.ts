/**
 * Keeps the chart series of one pool in the store: once a minute it rolls the last few closed minutes (late
 * share batches included) and the current and previous hours up from the shares table, and prunes minute
 * buckets older than a day and hour buckets older than a month. Rolling up is idempotent, so every instance
 * sharing a database may run it: the buckets stay pool-wide and nothing is counted twice.
 */
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';

export interface SeriesRecorderOptions {
  store: Pick<Store, 'rollupSeries' | 'pruneSeries' | 'lastSeriesTime'>;
  pool: string;
  /** The current network difficulty, for buckets without shares. */
  networkDifficulty: () => number | null;
  logger: Logger;
  now?: () => number;
  /** Default 60 000. */
  intervalMs?: number;
  /** Keep minute buckets this long (default 25 h) and hour buckets this long (default 31 days). */
  keepMinutesMs?: number;
  keepHoursMs?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface SeriesRecorder {
  /** One rollup now (the timer calls it; tests call it directly). */
  runOnce(): Promise<void>;
  stop(): void;
}

export function startSeriesRecorder(opts: SeriesRecorderOptions, autoStart = true): SeriesRecorder {
  const now = opts.now ?? Date.now;
  const keepMinutes = opts.keepMinutesMs ?? 25 * HOUR;
  const keepHours = opts.keepHoursMs ?? 31 * 24 * HOUR;
  let caughtUp = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  async function tick(): Promise<void> {
    const t = now();
    const minuteEnd = Math.floor(t / MINUTE) * MINUTE;
    let minuteFrom = minuteEnd - 3 * MINUTE;
    let hourFrom = Math.floor(t / HOUR) * HOUR - HOUR;
    if (!caughtUp) {
      // After a restart: fill what was missed (at most the retention), from the shares that were stored.
      const [lastMinute, lastHour] = await Promise.all([opts.store.lastSeriesTime(opts.pool, 60), opts.store.lastSeriesTime(opts.pool, 3600)]);
      minuteFrom = Math.max(minuteEnd - 24 * HOUR, Math.min(minuteFrom, lastMinute ?? minuteEnd - 24 * HOUR));
      hourFrom = Math.max(hourFrom - 30 * 24 * HOUR, Math.min(hourFrom, lastHour ?? hourFrom - 30 * 24 * HOUR));
    }
    const nd = opts.networkDifficulty();
    await opts.store.rollupSeries(opts.pool, 60, minuteFrom, minuteEnd, nd);
    // The current hour too, so the 7d/30d charts reach the present.
    await opts.store.rollupSeries(opts.pool, 3600, hourFrom, t, nd);
    await opts.store.pruneSeries(opts.pool, 60, t - keepMinutes);
    await opts.store.pruneSeries(opts.pool, 3600, t - keepHours);
    caughtUp = true;
  }

  function runOnce(): Promise<void> {
    running = running.then(tick, tick).catch((err: unknown) => {
      opts.logger.error(
        { event: 'series_rollup_failed', pool: opts.pool, err: err instanceof Error ? err.message : String(err) },
        'time series rollup failed',
      );
    });
    return running;
  }

  function schedule(): void {
    // A few seconds past each minute, so the share writer's last batch of the minute is in.
    const delay = MINUTE - (now() % MINUTE) + 3_000;
    timer = setTimeout(() => {
      void runOnce().finally(schedule);
    }, opts.intervalMs ?? delay);
    timer.unref();
  }

  if (autoStart) {
    void runOnce();
    schedule();
  }
  return {
    runOnce,
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
