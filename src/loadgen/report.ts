/** What `gxc-pool bench-stratum` measured, and its plain-text form. Pure: no I/O. */
import type { LatencySummary } from './histogram.js';
import type { LoadgenOptions } from './options.js';
import type { CleanJobSeen } from './protocol.js';

export interface LoadReport {
  machine: { cpus: number; loadAverage: number[]; node: string; date: string };
  options: LoadgenOptions;
  sessions: { asked: number; ready: number; failed: number; problems: string[]; connectMs: number; held: number };
  load: {
    mode: LoadgenOptions['mode'];
    sent: number;
    replies: number;
    accepted: number;
    rejected: Record<string, number>;
    unanswered: number;
    elapsedMs: number;
    repliesPerSecond: number;
    latencyMs: LatencySummary;
    clientHashes: number;
    grindFailures: number;
  };
  /** From /proc/PID of the server (only with --server-pid). */
  server: {
    pid: number;
    rssBeforeBytes: number;
    rssAfterConnectBytes: number;
    rssPerSessionBytes: number;
    threads: number;
    loadCpuSeconds: number;
    loadCores: number;
    cpuPerReplyMicros: number;
  } | null;
  fanout: {
    blockFound: boolean;
    blockHashes: number;
    job: string | null;
    sessions: number;
    held: number;
    /** First session to last session receiving the clean job. */
    spreadMs: number;
    /** Block submit sent to last session receiving the clean job (includes the pool's node round trip). */
    fromSubmitMs: number;
  } | null;
  cleanJobs: CleanJobSeen[];
}

const f = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function formatReport(r: LoadReport): string {
  const o = r.options;
  const lines: string[] = [];
  lines.push(
    `bench-stratum ${o.host}:${o.port}  ${r.machine.date}  node ${r.machine.node}  ${r.machine.cpus} cpus  load ${r.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
  );
  lines.push(
    `sessions: ${int(r.sessions.ready)}/${int(o.sessions)} ready in ${int(r.sessions.connectMs)} ms over ${o.processes} client process(es), ${o.perAddress} per source address; held to the end: ${int(r.sessions.held)}`,
  );
  for (const p of r.sessions.problems) lines.push(`  not ready: ${p}`);
  const l = r.load;
  const what =
    o.mode === 'closed'
      ? `closed loop, ${o.inflight} in flight per session`
      : o.mode === 'rate'
        ? `open loop, ${int(o.rate)} submits/s offered`
        : 'idle';
  lines.push(`load: ${what}, ${o.shares} shares, ${f(l.elapsedMs / 1000, 2)} s`);
  if (o.mode !== 'idle') {
    lines.push(
      `  sent ${int(l.sent)}  replies ${int(l.replies)} (${int(l.repliesPerSecond)}/s)  accepted ${int(l.accepted)}  unanswered ${int(l.unanswered)}  client hashes ${int(l.clientHashes)}${l.grindFailures > 0 ? `  grind bound hit ${int(l.grindFailures)}x` : ''}`,
    );
    for (const [reason, n] of Object.entries(l.rejected)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6))
      lines.push(`  rejected ${int(n)}x: ${reason}`);
    const s = l.latencyMs;
    lines.push(`  submit -> reply ms: p50 ${f(s.p50, 2)}  p95 ${f(s.p95, 2)}  p99 ${f(s.p99, 2)}  max ${f(s.max, 2)}`);
  }
  if (r.server) {
    const s = r.server;
    lines.push(
      `server pid ${s.pid}: RSS ${mib(s.rssBeforeBytes)} -> ${mib(s.rssAfterConnectBytes)} = ${f(s.rssPerSessionBytes / 1024, 2)} KiB per session; ${s.threads} threads`,
    );
    if (o.mode !== 'idle') {
      lines.push(`  CPU during load: ${f(s.loadCpuSeconds, 2)} s = ${f(s.loadCores, 2)} cores; ${f(s.cpuPerReplyMicros, 1)} µs per decision (reply)`);
    }
  }
  if (r.fanout) {
    const fo = r.fanout;
    if (!fo.blockFound) lines.push(`fan-out: no block found in ${int(fo.blockHashes)} hashes (network target too hard to grind)`);
    else if (fo.job === null) lines.push('fan-out: block sent, but no new clean job reached the sessions within 30 s');
    else {
      lines.push(
        `fan-out: clean job ${fo.job} reached ${int(fo.sessions)}/${int(fo.held)} sessions; first -> last ${f(fo.spreadMs, 2)} ms; block submit -> last ${f(fo.fromSubmitMs, 2)} ms`,
      );
    }
  }
  const others = r.cleanJobs.filter((j) => j.jobId !== r.fanout?.job && j.sessions > 1);
  for (const j of others.slice(-5)) lines.push(`clean job ${j.jobId}: ${int(j.sessions)} sessions, first -> last ${f(j.last - j.first, 2)} ms`);
  return lines.join('\n');
}
