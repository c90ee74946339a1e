/**
 * The Stratum TCP server: accepts connections within the limits, gives each one a dialect session, and fans jobs
 * out to sessions. Work for one client (framing, a reply) never waits on another client's socket: every write is
 * non-blocking and a client that stops reading is dropped.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { silentLogger, type Logger } from '../log/logger.js';
import { LogSampler } from '../log/sampler.js';
import { Connection, type ConnectionDeps, type ConnectionLimits } from './connection.js';
import { ethashDialectFactory, isEthashSession } from './dialects/ethash.js';
import { EthashExtranonceAllocator } from './dialects/ethash-extranonce.js';
import type { DialectFactory } from './dialects/types.js';
import { createExtranonce1Allocator } from './extranonce.js';
import { DEFAULT_MAX_LINE_BYTES } from './framing.js';
import { banKey } from './ban-key.js';
import { WatchedBackend } from './watched-backend.js';
import { notification } from './jsonrpc.js';
import { BanRegistry } from './bans.js';
import { AddressCounter } from './limits.js';
import { notifyBytes, Sv1Session, type Sv1Config, type Sv1Deps } from './session.js';
import { SessionLog } from './session-log.js';
import type {
  EthashBackend,
  EthashJob,
  Extranonce1Allocator,
  StratumDrainOptions,
  StratumDrainReport,
  StratumReconfigure,
  StratumAlgorithm,
  StratumBackend,
  StratumJob,
  StratumServer,
  StratumSessionControl,
  StratumSessionSummary,
} from './types.js';
import { DEFAULT_VARDIFF, validateVardiffConfig, type VardiffConfig } from './vardiff.js';

/** Longest a job fan-out holds the event loop before yielding to I/O (the soak's limit on a stall is 20 ms). */
const FANOUT_SLICE_MS = 8;

/** A job being written to the sessions that were connected when it arrived (see continueFanout). */
interface Fanout {
  job: StratumJob;
  clean: boolean;
  encoded: Buffer;
  targets: Connection[];
  next: number;
  sent: number;
  slices: number;
  started: number;
  /** Set when a newer job replaced this one before it reached every session. */
  cancelled: boolean;
}
export interface StratumLimits extends ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxJobsRemembered: number;
  maxWorkersPerConnection: number;
}

export const DEFAULT_LIMITS: StratumLimits = {
  maxConnections: 10_000,
  // Farms put hundreds of ASICs behind one NAT address.
  maxConnectionsPerIp: 500,
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  maxBadLines: 3,
  handshakeTimeoutMs: 30_000,
  // Junk only (refused requests): a miner's well-formed requests are slowed by flow control, never counted here.
  requestsPerSecond: 5,
  requestBurst: 50,
  // Every miner speaks first (subscribe or configure) within a second of connecting.
  idleTimeoutMs: 15_000,
  maxWriteBufferBytes: 512 * 1024,
  // Small: a miner's queued submits wait in its own TCP buffers, not in the pool's memory.
  maxQueuedRequests: 32,
  maxJobsRemembered: 32,
  maxWorkersPerConnection: 32,
};

export interface StratumServerOptions {
  backend: StratumBackend;
  /** Extranonce1 source; share one allocator between servers of one process. Defaults to one for `instanceId`. */
  allocator?: Extranonce1Allocator;
  /** 0..255, distinct per pool instance sharing one database (default 0). */
  instanceId?: number;
  /** Bytes of extranonce2 the miner rolls (default 4). */
  extranonce2Size?: number;
  /** BIP310/BIP320 pool version-rolling mask (default 0x1fffe000). */
  versionMask?: number;
  /** Vardiff: initial, floor, ceiling, targetShareSeconds, retargetSeconds, retargetShares, maxStepFactor, tolerance. */
  difficulty?: Partial<VardiffConfig>;
  /** Serves Ethash miners (EthereumStratum/1.0.0, eth-proxy, ethminer's stratum); without it they are refused. */
  ethashBackend?: EthashBackend;
  /** Vardiff for Ethash sessions (pool difficulty units, see types.ts); defaults to `difficulty`. */
  ethashDifficulty?: Partial<VardiffConfig>;
  /** EthereumStratum extranonce source; share one between servers of one process. Defaults to one for `instanceId`. */
  ethashExtranonces?: Extranonce1Allocator;
  /** Algorithms this port serves (default ['sha256d']). */
  algorithms?: StratumAlgorithm[];
  limits?: Partial<StratumLimits>;
  /** Shorthands for `limits.maxConnections` / `limits.maxConnectionsPerIp` (the two operators set most). */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  logger?: Logger;
  /** The process's ban list, shared by every server (a banned address is banned on every port). Default: its own. */
  bans?: BanRegistry;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** How often idle sessions are checked for a vardiff decrease (default 5000 ms). */
  vardiffTickMs?: number;
  /** Longest one slice of a job fan-out holds the event loop (default FANOUT_SLICE_MS; tests use 0 to force slices). */
  fanoutSliceMs?: number;
  /** Bounds the lines peers can cause (junk, refused connections); default: one for this server's logger. */
  logSampler?: LogSampler;
  /** First session number (socket worker i starts at i·2^24, so session ids stay unique across processes). */
  sessionIdBase?: number;
}

export function createStratumServer(opts: StratumServerOptions): StratumServer {
  const limits: StratumLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  if (opts.maxConnections !== undefined) limits.maxConnections = opts.maxConnections;
  if (opts.maxConnectionsPerIp !== undefined) limits.maxConnectionsPerIp = opts.maxConnectionsPerIp;
  validateLimits(limits);
  // One object shared by every session's Vardiff, so a moved ceiling (setDifficultyCeiling) reaches them all.
  const vardiff: VardiffConfig = { ...DEFAULT_VARDIFF, ...opts.difficulty };
  validateVardiffConfig(vardiff);
  const ethashVardiff: VardiffConfig = { ...DEFAULT_VARDIFF, ...opts.difficulty, ...opts.ethashDifficulty };
  validateVardiffConfig(ethashVardiff);
  const bounded = [
    { cfg: vardiff, floor: vardiff.floor, ceiling: vardiff.ceiling },
    { cfg: ethashVardiff, floor: ethashVardiff.floor, ceiling: ethashVardiff.ceiling },
  ];
  // The configured SHA-256d bounds (SIGHUP may change them); the network cap is applied on top of them.
  const configured = bounded[0] as { floor: number; ceiling: number };
  /** The last cap from the network difficulty (null before the first work). */
  let networkCeiling: number | null = null;
  const extranonce2Size = opts.extranonce2Size ?? 4;
  if (!Number.isInteger(extranonce2Size) || extranonce2Size < 1 || extranonce2Size > 16) {
    throw new RangeError(`extranonce2Size must be an integer 1..16, got ${extranonce2Size}`);
  }
  const versionMask = (opts.versionMask ?? 0x1fffe000) >>> 0;
  const algorithms = opts.algorithms ?? ['sha256d'];
  if (algorithms.length === 0) throw new RangeError('a Stratum port must serve at least one algorithm');
  const allocator = opts.allocator ?? createExtranonce1Allocator(opts.instanceId ?? 0);
  const now = opts.now ?? Date.now;
  const log = opts.logger ?? silentLogger;
  const logSampler = opts.logSampler ?? new LogSampler(log, { now });

  const ownBans = opts.bans === undefined;
  const bans = opts.bans ?? new BanRegistry({}, log, now);

  const sv1Config: Sv1Config = {
    extranonce2Size,
    versionMask,
    vardiff,
    maxJobsRemembered: limits.maxJobsRemembered,
    maxWorkersPerConnection: limits.maxWorkersPerConnection,
  };
  const sv1Deps: Sv1Deps = { allocator, config: sv1Config, now, logSampler };
  const ethashExtranonces = opts.ethashExtranonces ?? new EthashExtranonceAllocator(opts.instanceId ?? 0);
  // Requests run in order now (flow control); the Ethash session's pending bound follows the queue bound.
  const ethashConfig = { ...sv1Config, vardiff: ethashVardiff, maxPendingSubmits: limits.maxQueuedRequests };

  const connections = new Map<string, Connection>();
  /** Connections still in their handshake: the only ones the deadline sweep looks at. */
  const handshaking = new Set<Connection>();
  const watched = new Map<string, WatchedBackend>();
  const perAddress = new AddressCounter(limits.maxConnectionsPerIp);
  let nextSessionNumber = opts.sessionIdBase ?? 0;

  // The per-address cap counts an IPv6 /64 as one address, like bans do.
  const capKey = (address: string): string => banKey(address) ?? address;
  const onClosed = (conn: Connection): void => {
    handshaking.delete(conn);
    if (connections.get(conn.sessionId) === conn) {
      connections.delete(conn.sessionId);
      watched.delete(conn.sessionId);
      perAddress.remove(capKey(conn.remoteAddress));
    }
  };

  // Built once per server (not per connection), so an idle session holds no closures or tables of its own. The
  // SHA-256d backend is wrapped per connection when its session starts, so verdicts reach the ban policy under
  // this peer's address.
  // Each backend is wrapped per connection when its session starts, so verdicts reach the ban policy under
  // this peer's address.
  const watchedFor = (sessionId: string): WatchedBackend => {
    const address = connections.get(sessionId)?.remoteAddress ?? 'unknown';
    const backend = new WatchedBackend(opts.backend, address, bans, opts.ethashBackend);
    watched.set(sessionId, backend);
    return backend;
  };
  const dialects: Partial<Record<StratumAlgorithm, DialectFactory>> = {
    sha256d: (io, sessionLog) => new Sv1Session(io, sessionLog, sv1Deps, watchedFor(io.sessionId)),
  };
  if (opts.ethashBackend !== undefined) {
    dialects.ethash = (io, sessionLog, first) => {
      const ethashBackend = watchedFor(io.sessionId).ethash;
      if (ethashBackend === null) throw new Error('an Ethash session needs the Ethash backend');
      const factory = ethashDialectFactory({
        backend: ethashBackend,
        extranonces: ethashExtranonces,
        config: ethashConfig,
        now,
        portAlgorithms: algorithms,
      });
      return factory(io, sessionLog, first);
    };
  }
  const connectionDeps: ConnectionDeps = {
    limits,
    algorithms,
    dialects,
    now,
    onClosed,
    onHandshakeDone: (conn) => handshaking.delete(conn),
    onAbuse: (conn, kind) => bans.record(conn.remoteAddress, kind),
    logSampler,
  };
  const stopBanWatch = bans.onBan((key) => {
    for (const conn of connections.values()) if (bans.covers(key, conn.remoteAddress)) conn.close('banned');
  });

  const accept = (socket: Socket): void => {
    const address = socket.remoteAddress ?? 'unknown';
    // Before anything is read: the ban was logged once when it was made, refusals are only counted.
    if (bans.refuses(address)) {
      socket.destroy();
      return;
    }
    if (connections.size >= limits.maxConnections) {
      if (logSampler.allow('connection refused')) log.warn({ remote: address, limit: limits.maxConnections }, 'connection refused: server full');
      socket.destroy();
      return;
    }
    if (!perAddress.tryAdd(capKey(address))) {
      if (logSampler.allow('connection refused')) {
        log.warn({ remote: address, limit: limits.maxConnectionsPerIp }, 'connection refused: too many from this address');
      }
      socket.destroy();
      return;
    }
    const sessionId = (++nextSessionNumber).toString(16).padStart(8, '0');
    const sessionLog = new SessionLog(log, sessionId, `${address}:${socket.remotePort ?? 0}`);
    const conn = new Connection(socket, sessionId, address, sessionLog, connectionDeps);
    connections.set(sessionId, conn);
    handshaking.add(conn);
  };

  const fanoutSliceMs = opts.fanoutSliceMs ?? FANOUT_SLICE_MS;
  // The job fan-out under way (see continueFanout), or null.
  let fanout: Fanout | null = null;
  /**
   * Writes a job to its sessions in slices of at most FANOUT_SLICE_MS: one write per session costs a syscall
   * (10–30 µs), so 15,000 sessions in one go would hold the event loop for hundreds of milliseconds while every
   * share reply and accept waited. Between slices the loop serves I/O; the last session gets the job only a
   * little later than in one loop.
   */
  const continueFanout = (f: Fanout): void => {
    if (f.cancelled) return;
    const sliceStart = performance.now();
    f.slices++;
    while (f.next < f.targets.length) {
      const conn = f.targets[f.next++] as Connection;
      const session = conn.session;
      if (session instanceof Sv1Session && session.readyForWork) {
        conn.sendJob(session, f.job, f.clean, f.encoded);
        f.sent++;
      }
      // The clock is read every 64 sessions: cheap, and a slice overshoots by at most ~2 ms.
      if ((f.next & 63) === 0 && f.next < f.targets.length && performance.now() - sliceStart >= fanoutSliceMs) {
        setImmediate(continueFanout, f);
        return;
      }
    }
    if (fanout === f) fanout = null;
    // One line per job (not per session): how long the fan-out took and in how many slices.
    const ms = Math.round((performance.now() - f.started) * 10) / 10;
    log.info({ job: f.job.id, clean: f.clean, sessions: f.sent, ms, slices: f.slices }, 'job sent to sessions');
  };

  const server: Server = createServer({ noDelay: true }, accept);
  server.on('error', (err) => log.error({ err }, 'stratum listener error'));
  // The TLS port (stratum+ssl://) hands its decrypted sockets to the same accept: same limits, bans, sessions.
  let tlsServer: TlsServer | null = null;
  const listeners = (): Server[] => (tlsServer === null ? [server] : [server, tlsServer]);

  const listenOn = (srv: Server, port: number, host: string, scheme: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      srv.once('error', onError);
      srv.listen(port, host, () => {
        srv.off('error', onError);
        const addr = srv.address();
        const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
        log.info({ host, port: actual, algorithms, scheme }, 'stratum listening');
        resolve(actual);
      });
    });

  const tickMs = opts.vardiffTickMs ?? 5000;
  const ticker = setInterval(() => {
    const t = now();
    for (const conn of connections.values()) conn.tick(t);
    logSampler.flush();
  }, tickMs);
  ticker.unref();

  // One sweep for every connection's handshake and idle deadlines (instead of two timers each), a fifth of the
  // shorter limit apart so a deadline is acted on at most ~20 % late.
  const sweepPeriod = (): number => Math.min(1000, Math.max(10, Math.min(limits.handshakeTimeoutMs, limits.idleTimeoutMs) / 5));
  let sweepMs = sweepPeriod();
  const sweep = (): void => {
    for (const conn of handshaking) conn.checkDeadlines();
  };
  let sweeper = setInterval(sweep, sweepMs);
  sweeper.unref();

  return {
    bans,

    listen(port: number, host = '0.0.0.0'): Promise<number> {
      return listenOn(server, port, host, 'stratum+tcp');
    },

    listenTls(port: number, host: string, material: { cert: Buffer; key: Buffer }): Promise<number> {
      if (tlsServer !== null) return Promise.reject(new Error('this Stratum server already has a TLS port'));
      // A peer that never finishes its TLS handshake holds a socket: it gets the idle timeout, not node's 120 s.
      const srv = createTlsServer({ ...material, handshakeTimeout: limits.idleTimeoutMs }, accept);
      srv.maxConnections = limits.maxConnections;
      // Banned addresses are refused before the (costly) handshake.
      srv.on('connection', (raw: Socket) => {
        if (bans.refuses(raw.remoteAddress ?? '')) raw.destroy();
      });
      srv.on('tlsClientError', (err, socket) => log.debug({ err: err.message, remote: socket.remoteAddress }, 'tls handshake failed'));
      srv.on('error', (err) => log.error({ err }, 'stratum tls listener error'));
      tlsServer = srv;
      return listenOn(srv, port, host, 'stratum+ssl');
    },

    setSecureContext(material: { cert: Buffer; key: Buffer }): void {
      if (tlsServer === null) return;
      // New handshakes use the new certificate; established sessions keep theirs.
      tlsServer.setSecureContext(material);
      log.info('tls certificate reloaded');
    },

    broadcastJob(job: StratumJob, cleanJobs: boolean): void {
      // A fan-out still under way is replaced: the new job goes to every session. Clean if the unfinished one
      // was, so a session it had not reached yet still drops the old block's work.
      const clean = cleanJobs || fanout?.clean === true;
      if (fanout !== null) fanout.cancelled = true;
      // Encoded once into bytes: only the difficulty differs per session, and that travels in its own message.
      // Sessions that start work later get the current job from the backend when they authorize.
      const encoded = notifyBytes(job, clean);
      fanout = { job, clean, encoded, targets: [...connections.values()], next: 0, sent: 0, slices: 0, started: performance.now(), cancelled: false };
      continueFanout(fanout);
    },

    broadcastEthashJob(job: EthashJob, clean: boolean): void {
      // Encoded per session: each dialect has its own form, and eth-proxy/ethminer carry the boundary in the job.
      for (const conn of connections.values()) {
        const session = conn.session;
        if (isEthashSession(session) && session.readyForWork) conn.run(() => session.sendJob(job, clean));
      }
    },

    setDifficultyCeiling(ceiling: number): void {
      if (!Number.isFinite(ceiling) || ceiling <= 0) {
        log.warn({ ceiling }, 'ignored a difficulty ceiling that is not a positive number');
        return;
      }
      networkCeiling = ceiling;
      // On GXC both algorithms mine against one target, so one ceiling (the network difficulty) caps both.
      let changed = false;
      for (const b of bounded) {
        const nextCeiling = Math.min(b.ceiling, ceiling);
        const nextFloor = Math.min(b.floor, nextCeiling);
        if (nextCeiling === b.cfg.ceiling && nextFloor === b.cfg.floor) continue;
        b.cfg.ceiling = nextCeiling;
        b.cfg.floor = nextFloor;
        changed = true;
        log.info({ floor: nextFloor, ceiling: nextCeiling, ethash: b.cfg === ethashVardiff }, 'share difficulty bounds changed');
      }
      if (!changed) return;
      for (const conn of connections.values()) {
        const session = conn.session;
        if (session instanceof Sv1Session || isEthashSession(session)) conn.run(() => session.enforceDifficultyBounds());
      }
    },

    sessions(): StratumSessionSummary[] {
      return [...connections.values()].map((conn) => conn.summary());
    },

    sessionCount(): number {
      return connections.size;
    },

    session(id: string): StratumSessionControl | undefined {
      const session = connections.get(id)?.session ?? null;
      return session instanceof Sv1Session || isEthashSession(session) ? session : undefined;
    },

    reconfigure(update: StratumReconfigure): void {
      if (update.limits !== undefined) {
        const next = { ...limits, ...update.limits };
        validateLimits(next);
        // Connections hold this object: new values reach them (the request rate of a live one is kept).
        Object.assign(limits, next);
        perAddress.maxPerAddress = limits.maxConnectionsPerIp;
        if (sweepPeriod() !== sweepMs) {
          clearInterval(sweeper);
          sweepMs = sweepPeriod();
          sweeper = setInterval(sweep, sweepMs);
          sweeper.unref();
        }
        if (tlsServer !== null) tlsServer.maxConnections = limits.maxConnections;
      }
      if (update.difficulty !== undefined) {
        const next = { ...vardiff, ...update.difficulty };
        validateVardiffConfig(next);
        configured.floor = next.floor;
        configured.ceiling = next.ceiling;
        Object.assign(vardiff, next);
        // The network cap still applies to the new bounds.
        if (networkCeiling !== null) {
          vardiff.ceiling = Math.min(configured.ceiling, networkCeiling);
          vardiff.floor = Math.min(configured.floor, vardiff.ceiling);
        }
        for (const conn of connections.values()) {
          const session = conn.session;
          if (session instanceof Sv1Session) conn.run(() => session.enforceDifficultyBounds());
        }
      }
      log.info({ limits: update.limits, difficulty: update.difficulty }, 'stratum settings reloaded');
    },

    async drain(drainOpts: StratumDrainOptions): Promise<StratumDrainReport> {
      if (fanout !== null) fanout.cancelled = true;
      clearInterval(ticker);
      clearInterval(sweeper);
      // Stop accepting; the listener's own close completes when the last connection is gone.
      for (const srv of listeners()) if (srv.listening) srv.close();
      const live = [...connections.values()];
      let reconnected = 0;
      for (const conn of live) {
        conn.stopReading();
        const session = conn.session;
        if (drainOpts.reconnect === undefined || !(session instanceof Sv1Session) || !session.readyForWork) continue;
        const local = conn.localEndpoint();
        const host = drainOpts.reconnect.host ?? local.address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
        conn.send(notification('client.reconnect', [host, local.port, drainOpts.reconnect.waitSeconds]));
        reconnected++;
      }
      const answered = Promise.all(live.map((c) => watched.get(c.sessionId)?.idle()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), drainOpts.timeoutMs);
      });
      const outcome = await Promise.race([answered.then(() => 'answered' as const), timedOut]);
      clearTimeout(timer);
      const gone = live.map((c) => c.closedPromise);
      for (const conn of live) conn.close('pool shutting down');
      await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 3000).unref())]);
      log.info({ sessions: live.length, reconnected, outcome }, 'stratum drained');
      return { sessions: live.length, reconnected, allAnswered: outcome === 'answered' };
    },

    close(): Promise<void> {
      if (fanout !== null) fanout.cancelled = true;
      clearInterval(ticker);
      clearInterval(sweeper);
      stopBanWatch();
      if (ownBans) bans.close();
      return new Promise((resolve) => {
        for (const conn of connections.values()) conn.destroy();
        const open = listeners().filter((srv) => srv.listening);
        let left = open.length;
        if (left === 0) return resolve();
        for (const srv of open)
          srv.close(() => {
            if (--left === 0) resolve();
          });
      });
    },
  };
}

function validateLimits(limits: StratumLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`stratum limit ${name} must be a positive number, got ${String(value)}`);
    }
  }
}
