/** Messages between the SQLite store and its query thread (query-thread.ts / query-thread-worker.ts). */
import type { Store } from '../types.js';

/**
 * The store calls that run on the query thread: each reads many share rows (aggregates over a time window, a
 * PPLNS page, a chart rollup), which on the event loop's connection would stall every miner for its duration.
 * Arguments and results are plain data (structured clone carries bigints and nested objects as they are).
 */
export const THREADED_QUERIES = [
  'poolStats',
  'minerSummaries',
  'workerSummaries',
  'sharesBackFrom',
  'rollupSeries',
  'rollupHoursFromMinutes',
  'pruneSeries',
] as const satisfies readonly (keyof Store)[];

export type ThreadedQuery = (typeof THREADED_QUERIES)[number];
export type ThreadedQueries = Pick<Store, ThreadedQuery>;

export function isThreadedQuery(name: unknown): name is ThreadedQuery {
  return typeof name === 'string' && (THREADED_QUERIES as readonly string[]).includes(name);
}

export interface QueryThreadData {
  file: string;
}

export type ToQueryThread = { seq: number; method: ThreadedQuery; args: unknown[] } | { seq: 0; method: 'close'; args: [] };

export type FromQueryThread = { seq: number; ok: true; value: unknown } | { seq: number; ok: false; message: string };
