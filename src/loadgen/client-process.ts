/**
 * A load-generator client process: holds its slice of the sessions and runs the phases the coordinator asks for
 * over IPC. Several of these share the load so each has its own file-descriptor limit and core. Every loop is
 * bounded in count and time; the process exits when the coordinator goes away.
 */
import { appendFileSync } from 'node:fs';
import { LatencyHistogram } from './histogram.js';
import { sourceAddress } from './options.js';
import { CleanJobTracker } from './clean-jobs.js';
import type { ClientProcessSetup, FromClient, ToClient } from './protocol.js';
import { absoluteNow, LoadSession, type SessionHooks } from './session.js';

/** Answers still in flight when a phase ends are awaited this long at most. */
const SETTLE_MS = 5000;

const send = (msg: FromClient): void => {
  process.send?.(msg);
};

const sessions: LoadSession[] = [];
/** Set by `connect`: where accepted share hashes go (see LoadgenOptions.acceptedLog). */
let acceptedLog: string | undefined;
/** Accepted share hashes not yet written: appended in batches so the log costs one write per ~1,000 shares. */
let acceptedLines: string[] = [];
const ACCEPTED_BATCH = 1000;

function flushAcceptedLog(): void {
  if (acceptedLog === undefined || acceptedLines.length === 0) return;
  appendFileSync(acceptedLog, `${acceptedLines.join('\n')}\n`);
  acceptedLines = [];
}
const cleanJobs = new CleanJobTracker();
let onReply: SessionHooks['onReply'] = () => undefined;

const hooks: SessionHooks = {
  onReply: (session, accepted, error, latencyMs, shareHash) => onReply(session, accepted, error, latencyMs, shareHash),
  onCleanJob: (jobId, at) => cleanJobs.record(jobId, at),
  onClose: () => undefined,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function connectAll(setup: ClientProcessSetup): Promise<void> {
  acceptedLog = setup.acceptedLog;
  const t0 = performance.now();
  const deadline = t0 + setup.connectTimeoutMs;
  const problems = new Map<string, number>();
  let firstReadyAt = Number.NaN;
  let lastReadyAt = Number.NaN;
  for (let start = setup.first; start < setup.end && performance.now() < deadline; start += setup.wave) {
    const wave: LoadSession[] = [];
    for (let i = start; i < Math.min(setup.end, start + setup.wave); i++) {
      const username = setup.user.replaceAll('{i}', String(i));
      const session = new LoadSession(
        {
          host: setup.host,
          port: setup.port,
          localAddress: sourceAddress(i, setup.perAddress, setup.host),
          username,
          password: setup.password,
          suggestDifficulty: setup.suggestDifficulty,
          shares: setup.shares,
          maxGrindHashes: setup.maxGrindHashes,
        },
        hooks,
        Math.random,
      );
      wave.push(session);
    }
    // A wave is done when every session is ready or gone, polled every 5 ms, bounded by the deadline.
    while (performance.now() < deadline && wave.some((s) => !s.ready && !s.closed && s.problem === null)) await sleep(5);
    for (const s of wave) {
      if (s.ready) {
        sessions.push(s);
        const at = absoluteNow();
        if (Number.isNaN(firstReadyAt)) firstReadyAt = at;
        lastReadyAt = at;
      } else {
        const why = s.problem ?? 'not ready before the connect timeout';
        problems.set(why, (problems.get(why) ?? 0) + 1);
        s.destroy();
      }
    }
  }
  const total = setup.end - setup.first;
  send({
    type: 'connected',
    ready: sessions.length,
    failed: total - sessions.length,
    ms: performance.now() - t0,
    problems: [...problems].slice(0, 8).map(([why, n]) => `${n}x ${why}`),
    firstReadyAt,
    lastReadyAt,
  });
}

async function runLoad(msg: Extract<ToClient, { type: 'load' }>): Promise<void> {
  const latency = new LatencyHistogram();
  const rejected: Record<string, number> = {};
  let sent = 0;
  let replies = 0;
  let accepted = 0;
  const hashesBefore = sessions.reduce((a, s) => a + s.hashes, 0);
  const failuresBefore = sessions.reduce((a, s) => a + s.grindFailures, 0);
  const t0 = performance.now();
  const end = t0 + msg.seconds * 1000;
  const canSend = (): boolean => sent < msg.maxSubmits && performance.now() < end;
  const trySend = (s: LoadSession): boolean => {
    if (!canSend() || !s.submit()) return false;
    sent++;
    return true;
  };

  onReply = (session, ok, error, ms, shareHash) => {
    replies++;
    latency.record(ms);
    if (ok) {
      accepted++;
      if (acceptedLog !== undefined && shareHash !== null) {
        acceptedLines.push(shareHash);
        if (acceptedLines.length >= ACCEPTED_BATCH) flushAcceptedLog();
      }
    } else {
      const key = error ?? 'unknown';
      rejected[key] = (rejected[key] ?? 0) + 1;
    }
    if (msg.mode === 'closed') trySend(session);
  };

  if (msg.mode === 'closed') {
    for (let k = 0; k < msg.inflight; k++) for (const s of sessions) trySend(s);
    while (canSend()) await sleep(20);
  } else if (msg.mode === 'rate') {
    // Open loop: submits due = rate x elapsed, handed round-robin over the sessions every 2 ms tick.
    let next = 0;
    while (canSend() && sessions.length > 0) {
      const due = Math.min(msg.maxSubmits, Math.floor(((performance.now() - t0) / 1000) * msg.ratePerSecond));
      let attempts = 0;
      while (sent < due && attempts < sessions.length && canSend()) {
        const s = sessions[next % sessions.length] as LoadSession;
        next++;
        if (!trySend(s)) attempts++;
      }
      await sleep(2);
    }
  } else {
    while (performance.now() < end) await sleep(50);
  }
  const settleUntil = performance.now() + SETTLE_MS;
  while (replies < sent && performance.now() < settleUntil) await sleep(10);
  onReply = () => undefined;
  flushAcceptedLog();
  for (const s of sessions) s.clearPending();
  send({
    type: 'load-done',
    sent,
    replies,
    accepted,
    rejected,
    unanswered: sent - replies,
    elapsedMs: performance.now() - t0,
    latency: latency.toWire(),
    held: sessions.filter((s) => !s.closed).length,
    hashes: sessions.reduce((a, s) => a + s.hashes, 0) - hashesBefore,
    grindFailures: sessions.reduce((a, s) => a + s.grindFailures, 0) - failuresBefore,
  });
}

function grindBlock(maxHashes: number): void {
  const session = sessions.find((s) => s.ready);
  const result = session?.submitBlock(maxHashes) ?? null;
  if (result === null) send({ type: 'block-sent', sentAt: Number.NaN, hashes: 0, found: false });
  else send({ type: 'block-sent', sentAt: result.sentAt, hashes: result.hashes, found: !Number.isNaN(result.sentAt) });
}

function closeAll(): void {
  for (const s of sessions) s.destroy();
  process.disconnect?.();
  setTimeout(() => process.exit(0), 200).unref();
}

/** Entry point of a client process (`gxc-pool bench-stratum-client`, forked by the coordinator). */
export function runClientProcess(): void {
  if (!process.send) throw new Error('bench-stratum-client is started by bench-stratum over IPC, not by hand');
  process.on('disconnect', () => {
    for (const s of sessions) s.destroy();
    process.exit(0);
  });
  process.on('message', (raw: unknown) => {
    const msg = raw as ToClient;
    const fail = (err: unknown): void => send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    try {
      if (msg.type === 'connect') connectAll(msg.setup).catch(fail);
      else if (msg.type === 'load') runLoad(msg).catch(fail);
      else if (msg.type === 'grind-block') grindBlock(msg.maxHashes);
      else if (msg.type === 'report-clean-jobs') send({ type: 'clean-jobs', jobs: cleanJobs.list() });
      else if (msg.type === 'close') closeAll();
    } catch (err) {
      fail(err);
    }
  });
}
