/** Messages between bench/stratum.ts (server process) and its client process (support/stratum-clients.ts). */
import type { LatencySummary } from './stats.js';

export type ToClients =
  | { type: 'connect'; port: number; count: number; usernames: string[]; wave: number; timeoutMs: number }
  /** rate: each connection submits `ratePerConnection`/s; closed: each keeps one submit in flight. */
  | { type: 'load'; mode: 'rate' | 'closed'; ratePerConnection: number; seconds: number; maxSubmits: number }
  | { type: 'arm'; jobId: string }
  | { type: 'close' };

export type FromClients =
  | { type: 'connected'; ok: number; failed: number; ms: number; errors: string[] }
  | {
      type: 'load-done';
      sent: number;
      replies: number;
      accepted: number;
      rejected: Record<string, number>;
      unanswered: number;
      elapsedMs: number;
      latencyMs: LatencySummary;
      closedConnections: number;
    }
  | { type: 'armed' }
  /** Absolute times in ms (performance.timeOrigin + performance.now()), comparable across processes. */
  | { type: 'notified'; received: number; firstAt: number; lastAt: number }
  | { type: 'fatal'; message: string };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes on one machine. */
export const absoluteNow = (): number => performance.timeOrigin + performance.now();
