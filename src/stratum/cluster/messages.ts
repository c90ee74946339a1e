/**
 * Every message between the primary and its socket worker processes (node:cluster, `serialization: 'advanced'`,
 * so Buffers, bigints and Dates cross as they are). Nothing else crosses the process boundary.
 */
import type { Sha256dWork } from '../../chains/types.js';
import type {
  AuthorizeResult,
  ShareContext,
  ShareVerdict,
  StratumDrainOptions,
  StratumDrainReport,
  StratumErrorCode,
  StratumJob,
  StratumReconfigure,
  StratumSessionSummary,
  SubmitRequest,
} from '../types.js';
import type { BanPolicy } from '../bans.js';
import type { StratumLimits } from '../server.js';
import type { VardiffConfig } from '../vardiff.js';

/** Plain settings a worker builds its Stratum server from (the primary's options minus anything callable). */
export interface WorkerSettings {
  /** 1..N: partitions the extranonce1 counter and session ids; a restarted worker keeps its predecessor's index. */
  index: number;
  instanceId: number;
  extranonce2Size: number;
  versionMask: number;
  difficulty: Partial<VardiffConfig>;
  /** Limits of this worker (the connection caps are the primary's divided by the number of workers). */
  limits: Partial<StratumLimits>;
  banPolicy: Partial<BanPolicy>;
  log: { level: string; file?: string; name: string };
  /** How often session summaries are pushed to the primary for the API. */
  summaryEveryMs: number;
}

/** A job as broadcast, with the work behind it when the primary lets workers check shares themselves. */
export interface JobMessage {
  t: 'job';
  job: StratumJob;
  clean: boolean;
  work: Sha256dWork | null;
}

/** A share the worker refused itself (counted by the primary; batched). */
export interface LocalReject {
  address: string;
  worker: string;
  remoteAddress: string;
  jobDifficulty: number;
  jobId: string;
  code: StratumErrorCode;
  message: string;
  count: number;
}

/** A summary plus what `setExtranonce` needs to answer synchronously in the primary. */
export interface WireSessionSummary {
  summary: StratumSessionSummary;
  acceptsExtranonceChange: boolean;
}

export type SessionOp =
  | { op: 'showMessage'; text: string }
  | { op: 'reconnect'; host: string; port: number; waitSeconds: number }
  | { op: 'setExtranonce' }
  | { op: 'setDifficulty'; difficulty: number }
  | { op: 'disconnect'; reason: string };

export type ToWorker =
  | { t: 'init'; settings: WorkerSettings; jobs: JobMessage[]; ceiling: number | null; bans: WireBan[] }
  | { t: 'listen'; seq: number; port: number; host: string; tls: { cert: Buffer; key: Buffer } | null }
  | { t: 'secureContext'; cert: Buffer; key: Buffer }
  | JobMessage
  | { t: 'ceiling'; ceiling: number }
  | { t: 'reconfigure'; update: StratumReconfigure; banPolicy: Partial<BanPolicy> | null }
  | { t: 'ban'; ban: WireBan }
  | { t: 'lift'; key: string }
  | { t: 'session'; sessionId: string; action: SessionOp }
  | { t: 'verdict'; seq: number; verdict: ShareVerdict }
  | { t: 'authorized'; seq: number; result: AuthorizeResult }
  | { t: 'summaries' }
  | { t: 'drain'; seq: number; opts: StratumDrainOptions }
  | { t: 'close'; seq: number };

export interface WireBan {
  key: string;
  reason: string;
  until: number;
}

export type FromWorker =
  | { t: 'ready' }
  | { t: 'listening'; seq: number; port: number }
  | { t: 'listenFailed'; seq: number; error: string }
  | { t: 'submit'; seq: number; ctx: ShareContext; req: SubmitRequest }
  | { t: 'authorize'; seq: number; username: string; password: string }
  | { t: 'rejects'; items: LocalReject[] }
  | { t: 'summaries'; sessions: WireSessionSummary[] }
  | { t: 'ban'; ban: WireBan }
  | { t: 'drained'; seq: number; report: StratumDrainReport }
  | { t: 'closed'; seq: number };
