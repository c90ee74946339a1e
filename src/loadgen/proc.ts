/**
 * What the load generator reads about the server process from /proc (Linux): resident memory and CPU time, so
 * figures are the server's own and not the clients'. Works for any pool, whatever it is written in.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface ProcSample {
  /** Resident set size, bytes. */
  rssBytes: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  threads: number;
  /** When the sample was taken (performance.now(), ms). */
  at: number;
}

let clockTicks: number | null = null;

/** USER_HZ, the unit of utime/stime in /proc/PID/stat (100 on every common Linux; asked once). */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
export function parseStatCpuTicks(stat: string): { utime: number; stime: number; threads: number } {
  const close = stat.lastIndexOf(')');
  if (close === -1) throw new Error('unexpected /proc/PID/stat format (no command name)');
  // After ") " come field 3 (state) onwards: utime is field 14, stime 15, num_threads 20.
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const v = Number(fields[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`unexpected /proc/PID/stat format (field ${n})`);
    return v;
  };
  return { utime: field(14), stime: field(15), threads: field(20) };
}

export function parseStatusRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error('no VmRSS line in /proc/PID/status (is the process a zombie?)');
  return Number(m[1]) * 1024;
}

/** The parent pid in a /proc/PID/stat line (field 4). */
export function parseStatParentPid(stat: string): number {
  const close = stat.lastIndexOf(')');
  return Number(
    stat
      .slice(close + 2)
      .trim()
      .split(/\s+/)[1],
  );
}

/** Direct children of `pid` (a pool's socket worker processes), from /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (parseStatParentPid(fs.readFileSync(`/proc/${name}/stat`, 'utf8')) === pid) out.push(Number(name));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/**
 * The server's CPU and memory: the process plus its child processes, so a pool that spreads its sockets over
 * worker processes (gxc-pool's `stratum.workers`) is measured whole. A child that exits between two samples
 * takes its CPU time with it (the figure is then low, never high).
 */
export function sampleProcess(pid: number): ProcSample {
  let ticks = 0;
  let rssBytes = 0;
  let threads = 0;
  for (const p of [pid, ...childPids(pid)]) {
    try {
      const stat = parseStatCpuTicks(fs.readFileSync(`/proc/${p}/stat`, 'utf8'));
      rssBytes += parseStatusRssBytes(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      ticks += stat.utime + stat.stime;
      threads += stat.threads;
    } catch (err) {
      if (p === pid) throw err;
    }
  }
  return { rssBytes, cpuSeconds: ticks / ticksPerSecond(), threads, at: performance.now() };
}

/** Soft and hard open-file limits of this process, from /proc/self/limits. */
export function openFileLimits(): { soft: number; hard: number } | null {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const parts = line?.split(/\s{2,}/) ?? [];
    const soft = Number(parts[1]);
    const hard = Number(parts[2]);
    return Number.isFinite(soft) && Number.isFinite(hard) ? { soft, hard } : null;
  } catch {
    return null;
  }
}
