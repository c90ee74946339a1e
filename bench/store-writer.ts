/**
 * The SQLite share writer on the event loop vs on its own thread (src/store/sqlite/share-thread.ts), measured on
 * the main thread's event loop under sustained accepted-share load through ShareWriter (group commit, ack after
 * COMMIT, real SQLite file in WAL with synchronous=FULL).
 *
 *   node bin/run-ts.js bench/store-writer.ts [--writers=loop,thread] [--inflight=256] [--seconds=4]
 *       [--count=200000] [--half-seconds=4] [--rate=0]
 *
 * Two phases per writer, each stopping at --count acknowledged shares or its seconds, whichever comes first:
 * - closed loop: --inflight shares kept in flight (the next share is added when one is acknowledged): the
 *   saturating rate, the event-loop delay while it runs, and the CPU per share (process: all threads; main: the
 *   main thread alone, from /proc/self/task/<pid>/stat).
 * - open loop at half the closed-loop rate measured for that writer (or at --rate for both, to compare them at
 *   the same load): shares added on a 1 ms timer at a fixed rate; ack latency p50/p99/max and the event-loop delay.
 * Shares are plain NewShare rows (distinct hashes), built on the main thread in both cases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSqliteStore, ShareWriter } from '../src/store/index.js';
import { SqliteShareThread } from '../src/store/sqlite/share-thread.js';
import type { NewShare, Store } from '../src/store/types.js';
import { numberArg, numberListArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { fmt, fmtInt, LoopDelay, summarize } from './support/stats.js';

const writerKinds = (process.argv.find((a) => a.startsWith('--writers='))?.slice('--writers='.length) ?? 'loop,thread').split(',');
for (const w of writerKinds) if (w !== 'loop' && w !== 'thread') throw new Error(`--writers: expected loop and/or thread, got ${JSON.stringify(w)}`);
const inflight = Math.floor(numberListArg('inflight', [256])[0] ?? 256);
const maxSeconds = numberArg('seconds', 4);
const halfSeconds = numberArg('half-seconds', 4);
const maxShares = Math.floor(numberArg('count', 200_000));
/** Open-loop rate for every writer (shares/s); 0: half of that writer's own closed-loop rate. */
const fixedRate = numberArg('rate', 0);
/** Linux's USER_HZ: the unit of utime/stime in /proc (sysconf(_SC_CLK_TCK) is 100 on every Linux build). */
const TICK_HZ = 100;

let hashCounter = 0;
function newShare(): NewShare {
  hashCounter += 1;
  return {
    pool: 'asic',
    instanceId: 0,
    address: 'bcrt1qbenchaddress000000000000000000000000',
    worker: `rig${hashCounter % 1000}`,
    jobId: '1a2b',
    height: 800_000,
    difficulty: 1e-9,
    networkDifficulty: 1e12,
    actualDifficulty: 2.3e-9,
    hash: hashCounter.toString(16).padStart(64, '0'),
    isBlock: false,
    createdAt: Date.now(),
  };
}

/** CPU seconds of one thread of this process (utime + stime, /proc clock ticks). */
function threadCpuSeconds(tid: number): number {
  const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK_HZ;
}

/**
 * Times each batch on the main thread: `call` is the synchronous part of insertShares (validation, and for the
 * thread the structured clone and post); `settled` is call → ids. In the loop, BEGIN/INSERT/COMMIT run in one
 * chain of microtasks that never yields, so `settled` is how long the loop was held; on the thread only `call` is.
 */
class TimedInserter {
  call: number[] = [];
  settled: number[] = [];
  constructor(private readonly inner: Pick<Store, 'insertShares'>) {}
  async insertShares(shares: readonly NewShare[]): Promise<number[]> {
    const t = performance.now();
    const pending = this.inner.insertShares(shares);
    this.call.push(performance.now() - t);
    const ids = await pending;
    this.settled.push(performance.now() - t);
    return ids;
  }
  reset(): void {
    this.call = [];
    this.settled = [];
  }
  line(): string {
    const c = summarize(this.call);
    const d = summarize(this.settled);
    return `per batch: insertShares call p50 ${fmt(c.p50)} p99 ${fmt(c.p99)} max ${fmt(c.max)} ms; call -> ids p50 ${fmt(d.p50)} p99 ${fmt(d.p99)} max ${fmt(d.max)} ms`;
  }
}

interface Phase {
  acked: number;
  failed: number;
  seconds: number;
  ackMs: ReturnType<typeof summarize>;
  loop: ReturnType<LoopDelay['stop']>;
  processCpuUs: number;
  mainCpuUs: number;
}

async function closedLoop(writer: ShareWriter): Promise<Phase> {
  const loop = new LoopDelay();
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  let added = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuSeconds(process.pid);
  loop.start();
  const started = performance.now();
  const submitter = async (): Promise<void> => {
    while (added < maxShares && performance.now() < deadline) {
      added += 1;
      // The next submit of a connection arrives as I/O, in a later turn of the loop, not as a microtask.
      await new Promise<void>((r) => setImmediate(r));
      const t = performance.now();
      try {
        await writer.add(newShare());
        acked += 1;
        latencies.push(performance.now() - t);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, submitter));
  const seconds = (performance.now() - started) / 1000;
  const loopDelay = loop.stop();
  const cpu = process.cpuUsage(cpu0);
  const mainCpu = threadCpuSeconds(process.pid) - main0;
  return {
    acked,
    failed,
    seconds,
    ackMs: summarize(latencies),
    loop: loopDelay,
    processCpuUs: (cpu.user + cpu.system) / Math.max(1, acked),
    mainCpuUs: (mainCpu * 1e6) / Math.max(1, acked),
  };
}

async function openLoop(writer: ShareWriter, rate: number): Promise<Phase> {
  const loop = new LoopDelay();
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let acked = 0;
  let failed = 0;
  let added = 0;
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuSeconds(process.pid);
  loop.start();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(maxShares, Math.floor(((now - started) / 1000) * rate));
      while (added < due) {
        added += 1;
        const t = performance.now();
        pending.push(
          writer.add(newShare()).then(
            () => {
              acked += 1;
              latencies.push(performance.now() - t);
            },
            () => {
              failed += 1;
            },
          ),
        );
      }
      if (now - started >= halfSeconds * 1000 || added >= maxShares) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const loopDelay = loop.stop();
  const cpu = process.cpuUsage(cpu0);
  const mainCpu = threadCpuSeconds(process.pid) - main0;
  return {
    acked,
    failed,
    seconds,
    ackMs: summarize(latencies),
    loop: loopDelay,
    processCpuUs: (cpu.user + cpu.system) / Math.max(1, acked),
    mainCpuUs: (mainCpu * 1e6) / Math.max(1, acked),
  };
}

function row(writer: string, phase: string, p: Phase): string {
  return [
    writer.padEnd(6),
    phase.padEnd(24),
    `${fmtInt(p.acked / p.seconds)}/s`.padStart(10),
    `ack p50 ${fmt(p.ackMs.p50)} p99 ${fmt(p.ackMs.p99)} max ${fmt(p.ackMs.max)} ms`.padEnd(42),
    `loop delay p99 ${fmt(p.loop.p99Ms)} max ${fmt(p.loop.maxMs)} ms`.padEnd(34),
    `cpu/share process ${fmt(p.processCpuUs, 1)} µs, main ${fmt(p.mainCpuUs, 1)} µs`,
    p.failed > 0 ? `  FAILED ${p.failed}` : '',
  ].join('  ');
}

printMachine(`bench/store-writer.ts: SQLite share writer on the loop vs on its thread, ${inflight} in flight`);
console.log('writer  phase                      acked/s   ack latency                                 main event loop                    cpu');
for (const kind of writerKinds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-bench-writer-'));
  const file = path.join(dir, 'pool.db');
  const store: Store = createSqliteStore(file);
  let thread: SqliteShareThread | null = null;
  try {
    await store.migrate();
    thread = kind === 'thread' ? SqliteShareThread.start(file) : null;
    await thread?.ready;
    const timed = new TimedInserter(thread ?? store);
    const writer = new ShareWriter(timed);
    // Warm-up: JIT, statement caches, the thread's connection.
    await Promise.all(Array.from({ length: 2_000 }, () => writer.add(newShare())));
    timed.reset();
    const closed = await closedLoop(writer);
    console.log(row(kind, `closed, ${inflight} in flight`, closed));
    console.log(`        ${timed.line()}`);
    timed.reset();
    const rate = fixedRate > 0 ? fixedRate : closed.acked / closed.seconds / 2;
    const open = await openLoop(writer, rate);
    console.log(row(kind, `open, ${fmtInt(rate)}/s${fixedRate > 0 ? '' : ' (half)'}`, open));
    console.log(`        ${timed.line()}`);
    await writer.close();
    const b = writer.stats;
    console.log(`        batches ${fmtInt(b.batches)}, mean batch ${fmt(b.shares / Math.max(1, b.batches), 1)}, failed batches ${b.failedBatches}`);
  } finally {
    await thread?.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
