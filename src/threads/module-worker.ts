/**
 * Starts a worker thread on a sibling module of the caller, from compiled JavaScript (dist/) and from the
 * TypeScript sources alike. The sources run through a loader (tsx; vitest in tests) that worker threads do not
 * inherit, so a small bootstrap registers tsx in the thread before importing the `.ts` entry; a compiled caller
 * imports the `.js` entry beside it directly.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const start = workerData.tsxApi
  ? import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.entry); })
  : import(workerData.entry);
start.catch((err) => { setImmediate(() => { throw err; }); });
`;

/** Where the bootstrap finds the entry: `<baseName>.ts` beside a TypeScript caller, `<baseName>.js` beside a compiled one. */
export function moduleWorkerEntry(callerUrl: string, baseName: string): { entry: string; tsxApi: string | null } {
  const here = new URL(callerUrl);
  const typescript = here.pathname.endsWith('.ts');
  const entry = new URL(`./${baseName}${typescript ? '.ts' : '.js'}`, here).href;
  if (!typescript) return { entry, tsxApi: null };
  // tsx's ESM API (the `import` export of tsx/esm/api), found through its package.json wherever npm put it.
  const require = createRequire(callerUrl);
  const tsxDir = path.dirname(require.resolve('tsx/package.json'));
  return { entry, tsxApi: pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href };
}

/**
 * A Worker running `<baseName>` beside the module at `callerUrl` (pass `import.meta.url`). The entry reads its own
 * fields of `workerData`; `entry` and `tsxApi` are the bootstrap's.
 */
export function startModuleWorker(
  callerUrl: string,
  baseName: string,
  workerData: Record<string, unknown>,
  options: Omit<WorkerOptions, 'eval' | 'workerData'> = {},
): Worker {
  return new Worker(BOOTSTRAP, { ...options, eval: true, workerData: { ...moduleWorkerEntry(callerUrl, baseName), ...workerData } });
}
