/** Messages between the SQLite store and its series thread (series-thread.ts / series-thread-worker.ts). */
import type { SeriesResolution } from '../types.js';

export interface SeriesThreadData {
  file: string;
}

export type SeriesCall =
  | { op: 'rollupSeries'; pool: string; resolution: SeriesResolution; fromMs: number; toMs: number; fallbackNetworkDifficulty: number | null }
  | { op: 'rollupHoursFromMinutes'; pool: string; fromMs: number; toMs: number }
  | { op: 'pruneSeries'; pool: string; resolution: SeriesResolution; beforeMs: number };

export type ToSeriesThread = { seq: number; call: SeriesCall } | { seq: 0; call: { op: 'close' } };

export type FromSeriesThread = { seq: number; ok: true; value: number } | { seq: number; ok: false; message: string };
