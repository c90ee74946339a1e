/**
 * Starts one Ethash worker thread. The project runs its TypeScript through a loader (tsx; vitest in tests) that
 * worker threads do not inherit, so a small bootstrap registers tsx in the thread before importing worker.ts.
 * Compiled JavaScript (worker.js beside this file) is imported directly.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EthashWorkerData } from './messages.js';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const start = workerData.tsxApi
  ? import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.entry); })
  : import(workerData.entry);
start.catch((err) => { setImmediate(() => { throw err; }); });
`;

function workerEntry(): { entry: string; tsxApi: string | null } {
  const here = new URL(import.meta.url);
  const typescript = here.pathname.endsWith('.ts');
  const entry = new URL(typescript ? './worker.ts' : './worker.js', here).href;
  if (!typescript) return { entry, tsxApi: null };
  // tsx's ESM API (the `import` export of tsx/esm/api), found through its package.json wherever npm put it.
  const require = createRequire(import.meta.url);
  const tsxDir = path.dirname(require.resolve('tsx/package.json'));
  return { entry, tsxApi: pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href };
}

export function spawnEthashWorker(data: EthashWorkerData): Worker {
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...workerEntry(), ...data }, name: 'ethash' });
}
