/** Runs `gxc-pool bench-stratum ... --json` as a child process (bounded) and reads its report; tests and bench/soak.ts. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadReport } from '../../src/loadgen/report.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchStratumRun {
  status: number | null;
  /** The JSON report (the last stdout line), or null when there was none. */
  report: LoadReport | null;
  stderr: string;
}

export function runBenchStratum(args: string[], timeoutMs: number): Promise<BenchStratumRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/gxc-pool.js'), 'bench-stratum', ...args, '--json'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      resolve({ status, report: line.startsWith('{') ? (JSON.parse(line) as LoadReport) : null, stderr });
    });
  });
}
