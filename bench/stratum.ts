/**
 * The real Stratum server on 127.0.0.1:0 under N miner connections, driven from a separate client process
 * (support/stratum-clients.ts) so this process's memory and event loop belong to the server alone.
 *
 *   node bin/run-ts.js bench/stratum.ts [--connections=100,1000] [--backend=fast,pool] [--rate=2]
 *       [--seconds=4] [--closed-seconds=2] [--count=40000] [--broadcasts=5]
 *
 * For each N and backend:
 *   1. memory: server RSS / heap / external before and after N idle sessions are subscribed + authorized
 *      (after full GCs), divided by N;
 *   2. fixed rate: every connection submits --rate shares/s for --seconds (open loop): submit -> reply latency
 *      p50/p99/max, replies/s, server CPU and event-loop delay;
 *   3. closed loop: every connection keeps one submit in flight for --closed-seconds: the most replies/s;
 *   4. broadcast: --broadcasts clean jobs; time from broadcastJob() to the last of N clients receiving the notify.
 * Each load phase stops at --count submits or its time, whichever comes first.
 *
 * Backends: fast = accepts every share without checking it (support/fast-backend.ts: the server's own cost);
 * pool = PoolRuntime + real checkShare + ShareWriter group commit into SQLite (WAL, synchronous=FULL), with the
 * bench chain adapter (support/chain.ts: real address validation, no node, network target 1 so no blocks).
 * Clients mine real shares at the session difficulty (1e-9, vardiff pinned there) in their own process.
 * The per-connection junk limit is raised for the bench (it counts refused requests only; well-formed submits
 * are flow-controlled, never counted).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/log/logger.js';
import { PoolRuntime } from '../src/pool/pool.js';
import { createStore, ShareWriter } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { createStratumServer } from '../src/stratum/server.js';
import type { StratumBackend, StratumJob, StratumServer } from '../src/stratum/types.js';
import { numberArg, numberListArg, argValue } from './support/args.js';
import { createBenchChain } from './support/chain.js';
import { FastBackend } from './support/fast-backend.js';
import { printMachine } from './support/machine.js';
import { absoluteNow, type FromClients, type ToClients } from './support/stratum-protocol.js';
import { fmt, fmtInt, getGc, LoopDelay, mib, settleMemory, summarize } from './support/stats.js';
import { noBlockWork, REGTEST_ADDRESSES } from './support/work.js';

const connectionsList = numberListArg('connections', [100, 1000]);
const backends = (argValue('backend') ?? 'fast,pool').split(',').map((b) => b.trim());
for (const b of backends) if (b !== 'fast' && b !== 'pool') throw new Error(`--backend must be fast and/or pool, got '${b}'`);
const ratePerConnection = numberArg('rate', 2);
const rateSeconds = numberArg('seconds', 4);
const closedSeconds = numberArg('closed-seconds', 2);
const maxSubmits = Math.floor(numberArg('count', 40_000));
const broadcasts = Math.floor(numberArg('broadcasts', 5));
const DIFFICULTY = 1e-9;

const here = path.dirname(fileURLToPath(import.meta.url));
const runTs = path.resolve(here, '../bin/run-ts.js');
const clientsScript = path.resolve(here, 'support/stratum-clients.ts');

type Reply<T extends FromClients['type']> = Extract<FromClients, { type: T }>;

/** Sends `msg` (if any) and waits for the client process's answer of `type`, at most `timeoutMs`. */
function ask<T extends FromClients['type']>(child: ChildProcess, type: T, timeoutMs: number, msg?: ToClients): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (raw: unknown): void => {
      const m = raw as FromClients;
      if (m.type === 'fatal') {
        cleanup();
        reject(new Error(`client process failed: ${m.message}`));
      } else if (m.type === type) {
        cleanup();
        resolve(m as Reply<T>);
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`client process exited (${code}) while waiting for '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no '${type}' from the client process within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (msg !== undefined) child.send(msg);
  });
}

interface Rig {
  backend: StratumBackend;
  newCleanJob(): StratumJob;
  describe(): string;
  dispose(): Promise<void>;
}

async function makeRig(kind: string): Promise<Rig> {
  const work = noBlockWork();
  if (kind === 'fast') {
    const backend = new FastBackend(work);
    return {
      backend,
      newCleanJob: () => backend.newJob(true),
      describe: () => `fast backend accepted ${fmtInt(backend.accepted)}`,
      dispose: async () => undefined,
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-bench-stratum-'));
  const store: Store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
  await store.migrate();
  const writer = new ShareWriter(store, { logger: silentLogger });
  const pool = new PoolRuntime({ name: 'bench', chain: createBenchChain(), store, shares: writer, instanceId: 0, logger: silentLogger });
  pool.addWork(work, true);
  return {
    backend: pool,
    newCleanJob: () => pool.addWork(work, true).stratum,
    describe: () =>
      `pool accepted ${fmtInt(pool.counters.accepted)}, rejected ${fmtInt(pool.counters.rejected)}; ` +
      `ShareWriter ${fmtInt(writer.stats.batches)} batches, ${fmtInt(writer.stats.shares)} shares (mean ${fmt(writer.stats.shares / Math.max(1, writer.stats.batches), 1)}/batch)`,
    dispose: async () => {
      await writer.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function printLoad(label: string, r: Reply<'load-done'>, cpu: NodeJS.CpuUsage, loop: ReturnType<LoopDelay['stop']>): void {
  const l = r.latencyMs;
  const cpuUs = cpu.user + cpu.system;
  const cpuPct = (cpuUs / 1000 / r.elapsedMs) * 100;
  console.log(
    `${label}: ${fmtInt(r.sent)} submits, ${fmtInt(r.replies)} replies in ${fmt(r.elapsedMs / 1000, 2)} s = ${fmtInt((r.replies * 1000) / r.elapsedMs)} replies/s; ` +
      `submit->reply p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, max ${fmt(l.max)} ms`,
  );
  console.log(
    `  accepted ${fmtInt(r.accepted)}, unanswered ${r.unanswered}, connections closed ${r.closedConnections}; server CPU ${fmt(cpuPct, 0)}% of one core ` +
      `= ${fmt(cpuUs / Math.max(1, r.replies), 1)} µs per reply; ` +
      `server event-loop delay p99 ${fmt(loop.p99Ms)} ms, max ${fmt(loop.maxMs)} ms`,
  );
  if (Object.keys(r.rejected).length > 0) console.log(`  REJECTED: ${JSON.stringify(r.rejected)}`);
}

async function runLoadPhase(child: ChildProcess, label: string, msg: Extract<ToClients, { type: 'load' }>): Promise<void> {
  const loop = new LoopDelay();
  loop.start();
  const cpu0 = process.cpuUsage();
  const r = await ask(child, 'load-done', (msg.seconds * 2 + 15) * 1000, msg);
  const cpu = process.cpuUsage(cpu0);
  printLoad(label, r, cpu, loop.stop());
}

async function runOne(n: number, kind: string, gc: () => void): Promise<void> {
  console.log(`\n-- ${fmtInt(n)} connections, ${kind} backend`);
  const rig = await makeRig(kind);
  let server: StratumServer | null = null;
  let child: ChildProcess | null = null;
  try {
    server = createStratumServer({
      backend: rig.backend,
      difficulty: { initial: DIFFICULTY, floor: DIFFICULTY, ceiling: DIFFICULTY },
      maxConnections: n + 16,
      maxConnectionsPerIp: n + 16,
      limits: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000, handshakeTimeoutMs: 60_000 },
      logger: silentLogger,
    });
    const port = await server.listen(0, '127.0.0.1');
    child = fork(runTs, [clientsScript], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await measure(n, gc, rig, server, port, child);
  } finally {
    if (child !== null) await stopChild(child);
    await server?.close();
    await rig.dispose();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.connected) child.send({ type: 'close' } satisfies ToClients);
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function measure(n: number, gc: () => void, rig: Rig, server: StratumServer, port: number, child: ChildProcess): Promise<void> {
  const before = await settleMemory(gc);
  const connected = await ask(child, 'connected', 90_000, {
    type: 'connect',
    port,
    count: n,
    usernames: REGTEST_ADDRESSES.map((a, i) => `${a}.rig${i}`),
    wave: 100,
    timeoutMs: 60_000,
  });
  const after = await settleMemory(gc);
  const sessions = server.sessions().filter((s) => s.authorized).length;
  console.log(
    `connected ${fmtInt(connected.ok)}/${fmtInt(n)} (subscribe+authorize+first job) in ${fmt(connected.ms, 0)} ms; server sees ${fmtInt(sessions)} authorized sessions` +
      (connected.failed > 0 ? `; FAILED ${connected.failed}: ${connected.errors.join('; ')}` : ''),
  );
  const per = (k: keyof NodeJS.MemoryUsage): string => `${fmt((after[k] - before[k]) / Math.max(1, connected.ok) / 1024, 1)} KiB`;
  console.log(
    `memory per idle session: RSS ${per('rss')}, heapUsed ${per('heapUsed')}, external ${per('external')} ` +
      `(server process: RSS ${mib(before.rss)} -> ${mib(after.rss)}, heapUsed ${mib(before.heapUsed)} -> ${mib(after.heapUsed)})`,
  );

  const count = Math.min(maxSubmits, Math.ceil(connected.ok * ratePerConnection * rateSeconds));
  await runLoadPhase(child, `fixed rate ${ratePerConnection}/s per connection (${fmtInt(connected.ok * ratePerConnection)}/s offered)`, {
    type: 'load',
    mode: 'rate',
    ratePerConnection,
    seconds: rateSeconds,
    maxSubmits: count,
  });
  await runLoadPhase(child, 'closed loop (1 in flight per connection)', {
    type: 'load',
    mode: 'closed',
    ratePerConnection,
    seconds: closedSeconds,
    maxSubmits,
  });

  const lastMs: number[] = [];
  const firstMs: number[] = [];
  const callMs: number[] = [];
  let incomplete = 0;
  for (let i = 0; i < broadcasts; i++) {
    const job = rig.newCleanJob();
    await ask(child, 'armed', 5_000, { type: 'arm', jobId: job.id });
    const waiting = ask(child, 'notified', 15_000);
    const t0 = absoluteNow();
    const s = performance.now();
    server.broadcastJob(job, true);
    callMs.push(performance.now() - s);
    const got = await waiting;
    if (got.received < connected.ok) incomplete++;
    firstMs.push(got.firstAt - t0);
    lastMs.push(got.lastAt - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  const last = summarize(lastMs);
  const call = summarize(callMs);
  console.log(
    `broadcast (clean job) to ${fmtInt(connected.ok)} sessions, ${broadcasts} times: last client got it after p50 ${fmt(last.p50)} ms, max ${fmt(last.max)} ms ` +
      `(first after ${fmt(summarize(firstMs).p50)} ms); broadcastJob() call itself p50 ${fmt(call.p50)} ms, max ${fmt(call.max)} ms` +
      (incomplete > 0 ? `; ${incomplete} broadcasts did not reach every client within 15 s` : ''),
  );
  console.log(`backend: ${rig.describe()}`);
}

/**
 * One (N, backend) per process: memory readings in a process that already ran a bigger case would be skewed by
 * heap and RSS the allocator kept. With several combinations, this file runs itself once per combination.
 */
if (connectionsList.length * backends.length > 1) {
  const passThrough = process.argv.slice(2).filter((a) => !a.startsWith('--connections=') && !a.startsWith('--backend='));
  for (const n of connectionsList) {
    for (const kind of backends) {
      const code = await new Promise<number | null>((resolve) => {
        const one = fork(runTs, [fileURLToPath(import.meta.url), `--connections=${n}`, `--backend=${kind}`, ...passThrough], { stdio: 'inherit' });
        // Every phase inside is bounded; this is the backstop should the child hang anyway.
        const backstop = setTimeout(() => one.kill('SIGKILL'), 300_000);
        one.once('exit', (c) => {
          clearTimeout(backstop);
          resolve(c);
        });
      });
      if (code !== 0) throw new Error(`bench/stratum.ts --connections=${n} --backend=${kind} exited with ${code}`);
    }
  }
  process.exit(0);
}

const machine = printMachine('bench/stratum.ts');
const { gc, how } = getGc();
console.log(
  `bounds: fixed rate ${ratePerConnection}/s per connection for ${rateSeconds} s, closed loop ${closedSeconds} s, at most ${fmtInt(maxSubmits)} submits per phase; ` +
    `${broadcasts} broadcasts; session difficulty ${DIFFICULTY}; GC for memory readings: ${how}`,
);
console.log('clients run in a second process on the same cores: latencies include the client side');
const fdLimit = Number(machine.openFilesSoftLimit);
for (const n of connectionsList) {
  // Each process holds one descriptor per connection plus its own (files, IPC, SQLite).
  if (Number.isFinite(fdLimit) && n + 64 > fdLimit) {
    console.log(`\n-- ${fmtInt(n)} connections: SKIPPED, ulimit -n is ${fdLimit} (needs about ${n + 64})`);
    continue;
  }
  for (const kind of backends) await runOne(n, kind, gc);
}
