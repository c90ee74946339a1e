/**
 * A socket worker process (forked by the primary through node:cluster). It owns its sockets: framing, parsing,
 * the SV1 sessions, vardiff and the checks of shares below target run here; the primary keeps jobs, duplicates,
 * the share writer and block submission. Listening sockets are shared through cluster (the primary hands each
 * new connection to one worker).
 */
import { createLogger } from '../../log/logger.js';
import { BanRegistry } from '../bans.js';
import { createStratumServer } from '../server.js';
import { Sv1Session } from '../session.js';
import type { StratumServer } from '../types.js';
import type { FromWorker, ToWorker, WireSessionSummary, WorkerSettings } from './messages.js';
import { SlicedExtranonce1Allocator } from './partitioned-allocator.js';
import { WorkerBackend } from './worker-backend.js';

const send = (msg: FromWorker): void => {
  if (process.connected) process.send?.(msg);
};

interface Running {
  server: StratumServer;
  backend: WorkerBackend;
  bans: BanRegistry;
  /** Set while a ban that came from the primary is applied here, so it is not echoed back. */
  applyingRemoteBan: boolean;
  summaryTimer: NodeJS.Timeout;
}

let running: Running | null = null;
/** Messages that arrive before init (none should) wait for it. */
const early: ToWorker[] = [];

function start(settings: WorkerSettings, init: Extract<ToWorker, { t: 'init' }>): Running {
  const log = createLogger({
    level: settings.log.level,
    name: settings.log.name,
    ...(settings.log.file ? { file: settings.log.file } : {}),
    format: 'json',
  }).child({
    worker: settings.index,
  });
  const bans = new BanRegistry(settings.banPolicy, log.child({ component: 'bans' }));
  for (const b of init.bans) if (b.until > Date.now()) bans.ban(b.key, b.until - Date.now(), b.reason);
  const backend = new WorkerBackend(send, settings.index);
  for (const job of init.jobs) backend.addJob(job);
  const server = createStratumServer({
    backend,
    allocator: new SlicedExtranonce1Allocator(settings.instanceId, settings.index),
    extranonce2Size: settings.extranonce2Size,
    versionMask: settings.versionMask,
    difficulty: settings.difficulty,
    limits: settings.limits,
    bans,
    logger: log.child({ component: 'stratum' }),
    sessionIdBase: settings.index * 2 ** 24,
  });
  if (init.ceiling !== null) server.setDifficultyCeiling(init.ceiling);
  const state: Running = {
    server,
    backend,
    bans,
    applyingRemoteBan: false,
    summaryTimer: setInterval(() => pushSummaries(), settings.summaryEveryMs),
  };
  state.summaryTimer.unref();
  // A ban made here (abuse seen on this worker's sockets) is made everywhere through the primary.
  bans.onBan((key) => {
    if (state.applyingRemoteBan) return;
    const entry = bans.list().find((b) => b.key === key);
    if (entry !== undefined) send({ t: 'ban', ban: { key, reason: entry.reason, until: entry.until } });
  });
  return state;
}

function pushSummaries(): void {
  if (running === null) return;
  const { server } = running;
  const sessions: WireSessionSummary[] = server.sessions().map((summary) => {
    const control = server.session(summary.id);
    return { summary, acceptsExtranonceChange: control instanceof Sv1Session && control.acceptsExtranonceChange };
  });
  send({ t: 'summaries', sessions });
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.t === 'init') {
    running = start(msg.settings, msg);
    for (const m of early.splice(0)) await handle(m);
    return;
  }
  if (running === null) {
    early.push(msg);
    return;
  }
  const r = running;
  switch (msg.t) {
    case 'listen':
      try {
        const port = msg.tls === null ? await r.server.listen(msg.port, msg.host) : await r.server.listenTls(msg.port, msg.host, msg.tls);
        send({ t: 'listening', seq: msg.seq, port });
      } catch (err) {
        send({ t: 'listenFailed', seq: msg.seq, error: err instanceof Error ? err.message : String(err) });
      }
      return;
    case 'secureContext':
      r.server.setSecureContext({ cert: msg.cert, key: msg.key });
      return;
    case 'job':
      r.backend.addJob(msg);
      r.server.broadcastJob(msg.job, msg.clean);
      return;
    case 'ceiling':
      r.server.setDifficultyCeiling(msg.ceiling);
      return;
    case 'reconfigure':
      if (msg.banPolicy !== null) r.bans.reconfigure(msg.banPolicy);
      r.server.reconfigure(msg.update);
      return;
    case 'ban':
      r.applyingRemoteBan = true;
      try {
        const left = msg.ban.until - Date.now();
        if (left > 0) r.bans.ban(msg.ban.key, left, msg.ban.reason);
      } finally {
        r.applyingRemoteBan = false;
      }
      return;
    case 'lift':
      r.bans.lift(msg.key);
      return;
    case 'session':
      runSessionOp(r.server, msg);
      return;
    case 'verdict':
      r.backend.onVerdict(msg.seq, msg.verdict);
      return;
    case 'authorized':
      r.backend.onAuthorized(msg.seq, msg.result);
      return;
    case 'summaries':
      pushSummaries();
      return;
    case 'drain': {
      const report = await r.server.drain(msg.opts);
      r.backend.flushRejects();
      send({ t: 'drained', seq: msg.seq, report });
      return;
    }
    case 'close':
      clearInterval(r.summaryTimer);
      r.backend.flushRejects();
      await r.server.close();
      r.bans.close();
      send({ t: 'closed', seq: msg.seq });
      return;
  }
}

function runSessionOp(server: StratumServer, msg: Extract<ToWorker, { t: 'session' }>): void {
  const control = server.session(msg.sessionId);
  if (control === undefined) return;
  const a = msg.action;
  if (a.op === 'showMessage') control.showMessage(a.text);
  else if (a.op === 'reconnect') control.reconnect(a.host, a.port, a.waitSeconds);
  else if (a.op === 'setExtranonce') control.setExtranonce();
  else if (a.op === 'setDifficulty') control.setDifficulty(a.difficulty);
  else control.disconnect(a.reason);
}

// Messages are handled one at a time in arrival order (a job before the verdicts that follow it, and so on).
let chain: Promise<void> = Promise.resolve();
process.on('message', (msg: ToWorker) => {
  // Verdicts and jobs must not wait behind a drain: only listen/drain/close are awaited in order.
  if (msg.t === 'listen' || msg.t === 'drain' || msg.t === 'close') {
    chain = chain.then(() => handle(msg));
    return;
  }
  void handle(msg);
});
// The primary going away (crash, kill) leaves nothing to serve: the miners reconnect to its successor.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
