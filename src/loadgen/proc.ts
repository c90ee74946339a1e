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

export function sampleProcess(pid: number): ProcSample {
  const stat = parseStatCpuTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const rssBytes = parseStatusRssBytes(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { rssBytes, cpuSeconds: (stat.utime + stat.stime) / ticksPerSecond(), threads: stat.threads, at: performance.now() };
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
