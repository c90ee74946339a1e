/**
 * A StratumServer whose sockets live in N socket worker processes (node:cluster: the primary holds the listening
 * socket and hands each new connection to one worker). The primary keeps what must be single: the backend (jobs,
 * duplicate set, share writer, block submission), the ban list the API shows, and the API's view of sessions.
 * Workers answer malformed and below-target shares themselves; every other share's verdict comes from the
 * backend here, after the share is durable, and only then does the worker write the reply.
 */
import type { Worker } from 'node:cluster';
import { createServer } from 'node:net';
import type { Sha256dWork } from '../../chains/types.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { BanRegistry } from '../bans.js';
import { DEFAULT_LIMITS, type StratumLimits } from '../server.js';
import {
  StratumErrorCode,
  type BanEntry,
  type BanList,
  type EthashJob,
  type StratumBackend,
  type StratumDrainOptions,
  type StratumDrainReport,
  type StratumJob,
  type StratumReconfigure,
  type StratumServer,
  type StratumSessionControl,
  type StratumSessionSummary,
} from '../types.js';
import { DEFAULT_VARDIFF, validateVardiffConfig, type VardiffConfig } from '../vardiff.js';
import type { FromWorker, JobMessage, LocalReject, SessionOp, ToWorker, WireBan, WireSessionSummary, WorkerSettings } from './messages.js';
import { EXTRANONCE_SLICES } from './partitioned-allocator.js';
import { forkSocketWorker } from './spawn.js';

export const MAX_SOCKET_WORKERS = EXTRANONCE_SLICES - 1;

export interface ClusterStratumServerOptions {
  backend: StratumBackend;
  /** Socket worker processes, 1..63. */
  workers: number;
  /** The process's ban list (shared with in-process servers); bans made in a worker are made here too. */
  bans: BanRegistry;
  instanceId?: number;
  extranonce2Size?: number;
  versionMask?: number;
  difficulty?: Partial<VardiffConfig>;
  /** The pool's limits; each worker gets maxConnections and maxConnectionsPerIp divided by `workers`. */
  limits?: Partial<StratumLimits>;
  logger?: Logger;
  /** Log settings of the workers (they write their own lines, tagged with `worker`). Default: warn to stdout. */
  workerLog?: { level: string; file?: string };
  /** The work behind a broadcast job: given, workers check shares themselves and refuse the bad ones locally. */
  workOf?: (job: StratumJob) => Sha256dWork | undefined;
  /** Shares refused in a worker, batched: the pool counts them as if it had refused them. */
  onLocalRejects?: (items: LocalReject[]) => void;
  /** How often workers push session summaries for `sessions()` (default 1000 ms). */
  summaryEveryMs?: number;
  /** First restart delay after a worker dies (doubles while it keeps dying young; default 500 ms). */
  restartDelayMs?: number;
}

interface Slot {
  index: number;
  worker: Worker | null;
  /** Resolves when the worker said `ready` and got its init. */
  started: Promise<void>;
  sessions: WireSessionSummary[];
  startedAt: number;
  failures: number;
}

interface ListenSpec {
  port: number;
  host: string;
  tls: { cert: Buffer; key: Buffer } | null;
}

/** Jobs kept to bring a (re)started worker up to date: the ones since the last clean job, bounded. */
const MAX_REPLAYED_JOBS = 64;
const CLOSE_BOUND_MS = 5000;

export interface ClusterStratumServer extends StratumServer {
  /** Asks every worker for fresh session summaries and resolves when they arrived (tests; the API uses the last push). */
  syncSessions(): Promise<void>;
  /** Process ids of the live workers (benchmarks read their CPU from /proc). */
  workerPids(): number[];
}

export function createClusterStratumServer(opts: ClusterStratumServerOptions): ClusterStratumServer {
  const n = opts.workers;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SOCKET_WORKERS) throw new RangeError(`stratum.workers must be 0..${MAX_SOCKET_WORKERS}, got ${n}`);
  const log = opts.logger ?? silentLogger;
  const backend = opts.backend;
  const primaryBans = opts.bans;
  const limits: StratumLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  validateLimits(limits);
  const vardiff: VardiffConfig = { ...DEFAULT_VARDIFF, ...opts.difficulty };
  validateVardiffConfig(vardiff);
  const restartDelayMs = opts.restartDelayMs ?? 500;

  const jobs: JobMessage[] = [];
  let ceiling: number | null = null;
  const listens: ListenSpec[] = [];
  let closing = false;
  let seq = 0;
  const waiters = new Map<number, (msg: FromWorker) => void>();
  const summaryWaiters = new Map<number, () => void>();

  const split = (l: StratumLimits): Partial<StratumLimits> => ({
    ...l,
    // Per-process caps: together the workers never hold more than the pool's caps. Connections are dealt round
    // robin, so an address's connections spread evenly and reach about the configured per-address cap in total.
    maxConnections: Math.ceil(l.maxConnections / n),
    maxConnectionsPerIp: Math.ceil(l.maxConnectionsPerIp / n),
  });

  const settingsFor = (index: number): WorkerSettings => ({
    index,
    instanceId: opts.instanceId ?? 0,
    extranonce2Size: opts.extranonce2Size ?? 4,
    versionMask: (opts.versionMask ?? 0x1fffe000) >>> 0,
    difficulty: { ...vardiff },
    limits: split(limits),
    banPolicy: { ...primaryBans.current },
    log: { level: opts.workerLog?.level ?? 'warn', name: 'gxc-pool', ...(opts.workerLog?.file ? { file: opts.workerLog.file } : {}) },
    summaryEveryMs: opts.summaryEveryMs ?? 1000,
  });

  const liveBans = (): WireBan[] => primaryBans.list().map((b) => ({ key: b.key, reason: b.reason, until: b.until }));

  const post = (slot: Slot, msg: ToWorker): void => {
    const w = slot.worker;
    if (w?.isConnected()) w.send(msg);
  };
  const postAll = (msg: ToWorker): void => {
    for (const slot of slots) post(slot, msg);
  };
  const request = (slot: Slot, make: (seq: number) => ToWorker): Promise<FromWorker> => {
    const id = ++seq;
    return new Promise((resolve) => {
      waiters.set(id, resolve);
      post(slot, make(id));
    });
  };

  const onMessage = (slot: Slot, msg: FromWorker): void => {
    switch (msg.t) {
      case 'ready':
        return;
      case 'submit':
        backend.submitShare(msg.ctx, msg.req).then(
          (verdict) => post(slot, { t: 'verdict', seq: msg.seq, verdict }),
          (err: unknown) => {
            log.error({ err, worker: slot.index }, 'share pipeline failed');
            post(slot, {
              t: 'verdict',
              seq: msg.seq,
              verdict: { ok: false, code: StratumErrorCode.Other, message: 'Share could not be processed: internal pool error' },
            });
          },
        );
        return;
      case 'authorize':
        backend.authorize(msg.username, msg.password).then(
          (result) => post(slot, { t: 'authorized', seq: msg.seq, result }),
          (err: unknown) => post(slot, { t: 'authorized', seq: msg.seq, result: { ok: false, message: `authorization failed: ${String(err)}` } }),
        );
        return;
      case 'rejects':
        opts.onLocalRejects?.(msg.items);
        return;
      case 'summaries': {
        slot.sessions = msg.sessions;
        const wake = summaryWaiters.get(slot.index);
        summaryWaiters.delete(slot.index);
        wake?.();
        return;
      }
      case 'ban':
        // Made here, the ban reaches every worker (and the in-process servers) through the registry's listener.
        if (msg.ban.until > Date.now()) primaryBans.ban(msg.ban.key, msg.ban.until - Date.now(), msg.ban.reason);
        return;
      case 'listening':
      case 'listenFailed':
      case 'drained':
      case 'closed': {
        const wake = waiters.get(msg.seq);
        waiters.delete(msg.seq);
        wake?.(msg);
        return;
      }
    }
  };

  const listenOn = async (slot: Slot, spec: ListenSpec): Promise<number> => {
    const answer = await request(slot, (id) => ({ t: 'listen', seq: id, port: spec.port, host: spec.host, tls: spec.tls }));
    if (answer.t === 'listening') return answer.port;
    throw new Error(answer.t === 'listenFailed' ? answer.error : `socket worker ${slot.index} did not listen`);
  };

  const launch = (slot: Slot): void => {
    const worker = forkSocketWorker();
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.sessions = [];
    let markStarted: () => void = () => undefined;
    slot.started = new Promise((resolve) => {
      markStarted = resolve;
    });
    worker.on('message', (msg: FromWorker) => {
      if (msg.t === 'ready') {
        post(slot, { t: 'init', settings: settingsFor(slot.index), jobs: [...jobs], ceiling, bans: liveBans() });
        markStarted();
        // A restarted worker takes its predecessor's place on every port.
        if (listens.length > 0) {
          void Promise.all(listens.map((spec) => listenOn(slot, spec))).catch((err: unknown) =>
            log.error({ err: String(err), worker: slot.index }, 'restarted socket worker could not listen'),
          );
        }
      }
      onMessage(slot, msg);
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker === worker) slot.worker = null;
      slot.sessions = [];
      markStarted();
      if (closing) return;
      // Its miners reconnect (to the other workers, or to its successor); shares it had not answered were not
      // acknowledged, and any the backend had stored stay stored: nothing acknowledged is lost.
      const young = Date.now() - slot.startedAt < 10_000;
      slot.failures = young ? slot.failures + 1 : 0;
      const delay = Math.min(30_000, restartDelayMs * 2 ** Math.min(slot.failures, 6));
      log.error(
        { event: 'socket_worker_died', worker: slot.index, pid: worker.process.pid, code, signal, restartInMs: delay },
        'socket worker died; starting another',
      );
      setTimeout(() => {
        if (!closing) launch(slot);
      }, delay).unref();
    });
  };

  const jobMessage = (job: StratumJob, clean: boolean): JobMessage => {
    const work = opts.workOf?.(job);
    return { t: 'job', job, clean, work: work === undefined ? null : plainWork(work) };
  };
  // Work the backend already has (a job made before this server existed) is the workers' first job.
  const seed = backend.currentJob();
  if (seed !== null) jobs.push(jobMessage(seed, true));

  const slots: Slot[] = [];
  for (let i = 1; i <= n; i++) {
    const slot: Slot = { index: i, worker: null, started: Promise.resolve(), sessions: [], startedAt: 0, failures: 0 };
    slots.push(slot);
    launch(slot);
  }

  const stopBanWatch = primaryBans.onBan((key) => {
    const entry = primaryBans.list().find((b) => b.key === key);
    if (entry !== undefined) postAll({ t: 'ban', ban: { key, reason: entry.reason, until: entry.until } });
  });

  const bans: BanList = {
    list: (): BanEntry[] => primaryBans.list(),
    ban: (address, durationMs, reason) => primaryBans.ban(address, durationMs, reason),
    lift: (key) => {
      const lifted = primaryBans.lift(key);
      postAll({ t: 'lift', key });
      return lifted;
    },
  };

  const listenEverywhere = async (port: number, host: string, tls: ListenSpec['tls']): Promise<number> => {
    await Promise.all(slots.map((s) => s.started));
    // Every worker asks for the same (host, port): cluster gives them one shared listening socket. Port 0 is
    // resolved to a concrete free port first, so a worker restarted after all others died binds the same port.
    const concrete = port === 0 ? await freePort(host) : port;
    const ports = await Promise.all(slots.map((s) => listenOn(s, { port: concrete, host, tls })));
    const actual = ports[0] as number;
    listens.push({ port: actual, host, tls });
    log.info({ host, port: actual, workers: n, scheme: tls === null ? 'stratum+tcp' : 'stratum+ssl' }, 'stratum listening in socket workers');
    return actual;
  };

  const control = (id: string): StratumSessionControl | undefined => {
    const slot = slots.find((s) => s.sessions.some((w) => w.summary.id === id));
    const wire = slot?.sessions.find((w) => w.summary.id === id);
    if (slot === undefined || wire === undefined) return undefined;
    const op = (action: SessionOp): void => post(slot, { t: 'session', sessionId: id, action });
    return {
      id,
      showMessage: (text) => op({ op: 'showMessage', text }),
      reconnect: (host, port, waitSeconds) => op({ op: 'reconnect', host, port, waitSeconds }),
      setExtranonce: () => {
        if (!wire.acceptsExtranonceChange) return false;
        op({ op: 'setExtranonce' });
        return true;
      },
      setDifficulty: (difficulty) => op({ op: 'setDifficulty', difficulty }),
      disconnect: (reason) => op({ op: 'disconnect', reason }),
    };
  };

  return {
    bans,

    listen(port: number, host = '0.0.0.0'): Promise<number> {
      return listenEverywhere(port, host, null);
    },

    listenTls(port: number, host: string, material: { cert: Buffer; key: Buffer }): Promise<number> {
      if (listens.some((l) => l.tls !== null)) return Promise.reject(new Error('this Stratum server already has a TLS port'));
      return listenEverywhere(port, host, material);
    },

    setSecureContext(material: { cert: Buffer; key: Buffer }): void {
      const spec = listens.find((l) => l.tls !== null);
      if (spec === undefined) return;
      spec.tls = material;
      postAll({ t: 'secureContext', ...material });
    },

    broadcastJob(job: StratumJob, cleanJobs: boolean): void {
      const msg = jobMessage(job, cleanJobs);
      if (cleanJobs) jobs.length = 0;
      jobs.push(msg);
      if (jobs.length > MAX_REPLAYED_JOBS) jobs.shift();
      postAll(msg);
    },

    broadcastEthashJob(_job: EthashJob, _clean: boolean): void {
      // Ethash sessions are served in-process (the Ethash pools do not use socket workers): nothing to send.
    },

    setDifficultyCeiling(next: number): void {
      if (!Number.isFinite(next) || next <= 0) {
        log.warn({ ceiling: next }, 'ignored a difficulty ceiling that is not a positive number');
        return;
      }
      ceiling = next;
      postAll({ t: 'ceiling', ceiling: next });
    },

    sessions(): StratumSessionSummary[] {
      return slots.flatMap((s) => s.sessions.map((w) => w.summary));
    },

    sessionCount(): number {
      return slots.reduce((n, s) => n + s.sessions.length, 0);
    },

    session: control,

    reconfigure(update: StratumReconfigure): void {
      // Checked here, synchronously, as the in-process server does: a bad value throws before any worker sees it.
      const nextLimits = { ...limits, ...update.limits };
      validateLimits(nextLimits);
      const nextVardiff = { ...vardiff, ...update.difficulty };
      validateVardiffConfig(nextVardiff);
      Object.assign(limits, nextLimits);
      Object.assign(vardiff, nextVardiff);
      const perWorker: StratumReconfigure = { difficulty: update.difficulty };
      if (update.limits !== undefined) {
        const s = split(limits);
        perWorker.limits = {
          maxConnections: s.maxConnections,
          maxConnectionsPerIp: s.maxConnectionsPerIp,
          idleTimeoutMs: limits.idleTimeoutMs,
          handshakeTimeoutMs: limits.handshakeTimeoutMs,
        };
      }
      postAll({ t: 'reconfigure', update: perWorker, banPolicy: { ...primaryBans.current } });
      log.info({ limits: update.limits, difficulty: update.difficulty, workers: n }, 'stratum settings reloaded (socket workers)');
    },

    async drain(drainOpts: StratumDrainOptions): Promise<StratumDrainReport> {
      closing = true;
      const reports = await Promise.all(
        slots.filter((s) => s.worker !== null).map((s) => request(s, (id) => ({ t: 'drain', seq: id, opts: drainOpts }))),
      );
      let sessions = 0;
      let reconnected = 0;
      let allAnswered = true;
      for (const r of reports) {
        if (r.t !== 'drained') continue;
        sessions += r.report.sessions;
        reconnected += r.report.reconnected;
        allAnswered &&= r.report.allAnswered;
      }
      return { sessions, reconnected, allAnswered };
    },

    async close(): Promise<void> {
      closing = true;
      stopBanWatch();
      const live = slots.flatMap((s) => (s.worker === null ? [] : [{ slot: s, worker: s.worker }]));
      const closed = Promise.all(
        live.map(({ slot, worker }) => {
          const exited = new Promise<void>((resolve) => {
            if (worker.isDead()) resolve();
            else worker.once('exit', () => resolve());
          });
          return request(slot, (id) => ({ t: 'close', seq: id })).then(() => {
            worker.disconnect();
            return exited;
          });
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, CLOSE_BOUND_MS)))]);
      clearTimeout(timer);
      for (const { worker } of live) if (!worker.isDead()) worker.process.kill('SIGKILL');
      for (const wake of waiters.values()) wake({ t: 'closed', seq: 0 });
      waiters.clear();
    },

    async syncSessions(): Promise<void> {
      await Promise.all(
        slots
          .filter((s) => s.worker !== null)
          .map(
            (s) =>
              new Promise<void>((resolve) => {
                summaryWaiters.set(s.index, resolve);
                post(s, { t: 'summaries' });
              }),
          ),
      );
    },

    workerPids(): number[] {
      return slots.flatMap((s) => (s.worker?.process.pid === undefined ? [] : [s.worker.process.pid]));
    },
  };
}

/** Only what checkShare reads, as plain data (a chain's work object may carry more, e.g. its transactions). */
function plainWork(w: Sha256dWork): Sha256dWork {
  return {
    height: w.height,
    prevHashDisplay: w.prevHashDisplay,
    prevHashInternal: w.prevHashInternal,
    version: w.version,
    bits: w.bits,
    networkTarget: w.networkTarget,
    curtime: w.curtime,
    mintime: w.mintime,
    coinb1: w.coinb1,
    coinb2: w.coinb2,
    merkleBranch: w.merkleBranch,
    reward: w.reward,
    txCount: w.txCount,
    templateKey: w.templateKey,
  };
}

function validateLimits(limits: StratumLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`stratum limit ${name} must be a positive number, got ${String(value)}`);
    }
  }
}

/** An ephemeral port free on `host` right now (the kernel picks it; the workers bind it a moment later). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const addr = probe.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
