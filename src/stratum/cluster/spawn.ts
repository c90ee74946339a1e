/**
 * How socket workers are forked. The project runs its TypeScript through a loader (tsx; vitest in tests) that a
 * forked process does not inherit, so from sources the worker starts with tsx's loader; compiled JavaScript
 * (worker-main.js beside this file) starts directly.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';

function workerScript(): { exec: string; execArgv: string[] } {
  const here = new URL(import.meta.url);
  const typescript = here.pathname.endsWith('.ts');
  const exec = fileURLToPath(new URL(typescript ? './worker-main.ts' : './worker-main.js', here));
  if (!typescript) return { exec, execArgv: [] };
  return { exec, execArgv: ['--import', import.meta.resolve('tsx')] };
}

/** Forks one socket worker (structured-clone IPC: Buffers and bigints cross intact). */
export function forkSocketWorker(): Worker {
  const { exec, execArgv } = workerScript();
  // setupPrimary only sets defaults for the forks that follow; every fork here sets all of them.
  cluster.setupPrimary({ exec, execArgv, args: [], serialization: 'advanced', silent: false });
  return cluster.fork({ GXC_POOL_SOCKET_WORKER: '1' });
}
