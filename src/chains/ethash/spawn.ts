/** Starts one Ethash worker thread (worker.ts, or worker.js when compiled), see threads/module-worker.ts. */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../threads/module-worker.js';
import type { EthashWorkerData } from './messages.js';

export function spawnEthashWorker(data: EthashWorkerData): Worker {
  return startModuleWorker(import.meta.url, 'worker', { ...data }, { name: 'ethash' });
}
