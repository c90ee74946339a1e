/**
 * `gxc-pool bench-stratum`: drives any Stratum V1 server on loopback with N sessions spread over client processes
 * and 127.x.y.z source addresses, and reports what the server spent (from /proc/PID, given its pid) next to what
 * the clients saw. Phases: connect all sessions, settle and read memory, one load phase (idle / open loop / closed
 * loop), then optionally time the fan-out of a clean job after a block ground by one session.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { LatencyHistogram } from './histogram.js';
import type { LoadgenOptions } from './options.js';
import { splitSessions } from './options.js';
import { openFileLimits, sampleProcess, type ProcSample } from './proc.js';
import type { CleanJobSeen, FromClient, ToClient } from './protocol.js';
import type { LoadReport } from './report.js';

/** The script this CLI runs as (bin/gxc-pool.js or dist/main.js): client processes are the same program. */
const entryScript = (): string => {
  const script = process.argv[1];
  if (script === undefined) throw new Error('cannot tell which script to start client processes with');
  return script;
};
/** File descriptors a client process keeps for itself (stdio, IPC, libuv) beyond its sessions. */
const FD_MARGIN = 64;

class ClientProcess {
  private readonly inbox: FromClient[] = [];
  private waiter: (() => void) | null = null;
  private exitedWith: string | null = null;

  constructor(readonly child: ChildProcess) {
    child.on('message', (msg: FromClient) => {
      this.inbox.push(msg);
      this.waiter?.();
    });
    child.once('exit', (code, signal) => {
      this.exitedWith = `client process exited (code ${code}, signal ${signal})`;
      this.waiter?.();
    });
  }

  send(msg: ToClient): void {
    this.child.send(msg);
  }

  /** The next message of `type` (a `fatal` or an exit fails it), within `timeoutMs`. */
  async next<T extends FromClient['type']>(type: T, timeoutMs: number): Promise<Extract<FromClient, { type: T }>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type || m.type === 'fatal');
      if (index !== -1) {
        const msg = this.inbox.splice(index, 1)[0] as FromClient;
        if (msg.type === 'fatal') throw new Error(`client process failed: ${msg.message}`);
        return msg as Extract<FromClient, { type: T }>;
      }
      if (this.exitedWith !== null) throw new Error(this.exitedWith);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no '${type}' from a client process within ${Math.round(timeoutMs)} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }
}

function sample(pid: number | undefined): ProcSample | null {
  return pid === undefined ? null : sampleProcess(pid);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runLoadgen(opts: LoadgenOptions): Promise<LoadReport> {
  const slices = splitSessions(opts.sessions, opts.processes);
  const limits = openFileLimits();
  const largest = Math.max(...slices.map(([a, b]) => b - a));
  if (limits !== null && largest + FD_MARGIN > limits.soft) {
    throw new Error(
      `${largest} sessions per client process exceed its open-file limit (${limits.soft}, hard ${limits.hard}): use --processes=${Math.ceil(opts.sessions / (limits.soft - FD_MARGIN))} or more`,
    );
  }
  if (opts.serverPid !== undefined) sampleProcess(opts.serverPid); // fails early on a wrong pid
  const before = sample(opts.serverPid);
  const clients = slices.map(
    () => new ClientProcess(fork(entryScript(), ['bench-stratum-client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })),
  );
  try {
    return await runPhases(opts, clients, slices, before);
  } finally {
    for (const c of clients) {
      if (c.child.connected) c.send({ type: 'close' });
    }
    await sleep(300);
    for (const c of clients) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  }
}

async function runPhases(
  opts: LoadgenOptions,
  clients: ClientProcess[],
  slices: Array<[number, number]>,
  before: ProcSample | null,
): Promise<LoadReport> {
  const connectTimeoutMs = opts.connectTimeoutSeconds * 1000;
  clients.forEach((c, p) => {
    const [first, end] = slices[p] as [number, number];
    c.send({
      type: 'connect',
      setup: {
        host: opts.host,
        port: opts.port,
        first,
        end,
        perAddress: opts.perAddress,
        user: opts.user,
        password: opts.password,
        suggestDifficulty: opts.suggestDifficulty,
        shares: opts.shares,
        maxGrindHashes: opts.maxGrindHashes,
        wave: opts.wave,
        connectTimeoutMs,
        acceptedLog: opts.acceptedLog === undefined ? undefined : `${opts.acceptedLog}.${p}`,
      },
    });
  });
  const connected = await Promise.all(clients.map((c) => c.next('connected', connectTimeoutMs + 15_000)));
  const ready = connected.reduce((a, c) => a + c.ready, 0);
  const connectMs = Math.max(...connected.map((c) => c.ms));
  await sleep(opts.settleSeconds * 1000);
  const afterConnect = sample(opts.serverPid);

  const loadBefore = sample(opts.serverPid);
  clients.forEach((c, p) => {
    const [first, end] = slices[p] as [number, number];
    c.send({
      type: 'load',
      mode: opts.mode,
      ratePerSecond: (opts.rate * (end - first)) / opts.sessions,
      inflight: opts.inflight,
      seconds: opts.seconds,
      maxSubmits: Math.max(1, Math.floor((opts.maxSubmits * (end - first)) / opts.sessions)),
    });
  });
  const loads = await Promise.all(clients.map((c) => c.next('load-done', opts.seconds * 1000 + 30_000)));
  const loadAfter = sample(opts.serverPid);
  const latency = new LatencyHistogram();
  const rejected: Record<string, number> = {};
  for (const l of loads) {
    latency.merge(l.latency);
    for (const [k, v] of Object.entries(l.rejected)) rejected[k] = (rejected[k] ?? 0) + v;
  }
  const sum = (f: (l: (typeof loads)[number]) => number): number => loads.reduce((a, l) => a + f(l), 0);
  const elapsedMs = Math.max(...loads.map((l) => l.elapsedMs));
  const replies = sum((l) => l.replies);

  let fanout: LoadReport['fanout'] = null;
  if (opts.fanoutBlock)
    fanout = await measureFanout(
      clients,
      sum((l) => l.held),
      opts.maxGrindHashes,
    );
  // Clean jobs that reached sessions while others were still connecting say nothing about fan-out: left out.
  const allReadyAt = Math.max(...connected.map((c) => (Number.isNaN(c.lastReadyAt) ? 0 : c.lastReadyAt)));
  const cleanJobs = (await collectCleanJobs(clients)).filter((j) => j.first >= allReadyAt);

  const server =
    before && afterConnect && loadBefore && loadAfter
      ? {
          pid: opts.serverPid as number,
          rssBeforeBytes: before.rssBytes,
          rssAfterConnectBytes: afterConnect.rssBytes,
          rssPerSessionBytes: ready > 0 ? (afterConnect.rssBytes - before.rssBytes) / ready : Number.NaN,
          threads: loadAfter.threads,
          loadCpuSeconds: loadAfter.cpuSeconds - loadBefore.cpuSeconds,
          loadCores: (loadAfter.cpuSeconds - loadBefore.cpuSeconds) / ((loadAfter.at - loadBefore.at) / 1000),
          cpuPerReplyMicros: replies > 0 ? ((loadAfter.cpuSeconds - loadBefore.cpuSeconds) * 1e6) / replies : Number.NaN,
        }
      : null;
  return {
    machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg(), node: process.version, date: new Date().toISOString() },
    options: opts,
    sessions: {
      asked: opts.sessions,
      ready,
      failed: connected.reduce((a, c) => a + c.failed, 0),
      problems: connected.flatMap((c) => c.problems).slice(0, 8),
      connectMs,
      held: sum((l) => l.held),
    },
    load: {
      mode: opts.mode,
      sent: sum((l) => l.sent),
      replies,
      accepted: sum((l) => l.accepted),
      rejected,
      unanswered: sum((l) => l.unanswered),
      elapsedMs,
      repliesPerSecond: replies / (elapsedMs / 1000),
      latencyMs: latency.summary(),
      clientHashes: sum((l) => l.hashes),
      grindFailures: sum((l) => l.grindFailures),
    },
    server,
    fanout,
    cleanJobs,
  };
}

/** Every client process's clean jobs, merged per job id (first and last arrival over all sessions). */
async function collectCleanJobs(clients: ClientProcess[]): Promise<CleanJobSeen[]> {
  const perProcess = await Promise.all(
    clients.map(async (c) => {
      c.send({ type: 'report-clean-jobs' });
      return (await c.next('clean-jobs', 10_000)).jobs;
    }),
  );
  return mergeCleanJobs(perProcess);
}

function mergeCleanJobs(perProcess: CleanJobSeen[][]): CleanJobSeen[] {
  const merged = new Map<string, CleanJobSeen>();
  for (const jobs of perProcess) {
    for (const j of jobs) {
      const m = merged.get(j.jobId);
      if (!m) merged.set(j.jobId, { ...j });
      else {
        m.sessions += j.sessions;
        m.first = Math.min(m.first, j.first);
        m.last = Math.max(m.last, j.last);
      }
    }
  }
  return [...merged.values()].sort((a, b) => a.first - b.first);
}

/** One session grinds a block; then the clean job that follows is awaited at every session (bounded: 30 s). */
async function measureFanout(clients: ClientProcess[], held: number, maxHashes: number): Promise<LoadReport['fanout']> {
  const first = clients[0] as ClientProcess;
  const collect = (): Promise<CleanJobSeen[]> => collectCleanJobs(clients);
  const known = new Set((await collect()).map((j) => j.jobId));
  first.send({ type: 'grind-block', maxHashes: Math.max(maxHashes, 50_000_000) });
  const block = await first.next('block-sent', 300_000);
  if (!block.found)
    return { blockFound: false, blockHashes: block.hashes, job: null, sessions: 0, held, spreadMs: Number.NaN, fromSubmitMs: Number.NaN };
  // The block's clean job is the new one most sessions got (vardiff re-issues reach one session each).
  const deadline = performance.now() + 30_000;
  let job: CleanJobSeen | undefined;
  while (performance.now() < deadline) {
    job = (await collect()).filter((j) => !known.has(j.jobId)).sort((a, b) => b.sessions - a.sessions)[0];
    if (job !== undefined && job.sessions >= held) break;
    await sleep(200);
  }
  if (job === undefined)
    return { blockFound: true, blockHashes: block.hashes, job: null, sessions: 0, held, spreadMs: Number.NaN, fromSubmitMs: Number.NaN };
  return {
    blockFound: true,
    blockHashes: block.hashes,
    job: job.jobId,
    sessions: job.sessions,
    held,
    spreadMs: job.last - job.first,
    fromSubmitMs: job.last - block.sentAt,
  };
}
