import { Worker } from 'node:worker_threads';
import { AbortGeneration } from './abort-generation.js';

/**
 * The hashing loop that runs inside each worker thread. It is plain JavaScript evaluated by the Worker
 * (`eval: true`) because the project runs its TypeScript through a loader (tsx, vitest) that worker threads do
 * not inherit; a source string runs the same under every one of them.
 *
 * Protocol: workerData.abort is an Int32Array over a SharedArrayBuffer holding a generation counter. A batch
 * message {id, header (80 bytes), start, count, target (32 bytes big-endian), generation} hashes nonces
 * start..start+count-1, stopping early once the counter differs from `generation` (a clean job arrived), and
 * answers {id, done, found: [nonce...]} listing the nonces whose sha256d, read little-endian, is <= target.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const abort = workerData.abort;

// Digest bytes are little-endian: compare from the most significant byte (index 31) down.
function meetsTarget(digest, target) {
  for (let i = 0; i < 32; i++) {
    const a = digest[31 - i];
    const b = target[i];
    if (a !== b) return a < b;
  }
  return true;
}

parentPort.on('message', (batch) => {
  const header = Buffer.from(batch.header);
  const target = Buffer.from(batch.target);
  const found = [];
  let done = 0;
  for (let i = 0; i < batch.count; i++) {
    if ((i & 255) === 0 && Atomics.load(abort, 0) !== batch.generation) break;
    const nonce = (batch.start + i) >>> 0;
    header.writeUInt32LE(nonce, 76);
    const first = createHash('sha256').update(header).digest();
    const digest = createHash('sha256').update(first).digest();
    done++;
    if (meetsTarget(digest, target)) found.push(nonce);
  }
  parentPort.postMessage({ id: batch.id, done, found });
});
`;

export interface HashBatch {
  header: Buffer;
  start: number;
  count: number;
  /** 32-byte big-endian target. */
  target: Buffer;
}

export interface BatchResult {
  done: number;
  found: number[];
  /** The batch stopped early because abortAll() was called after it started. */
  aborted: boolean;
}

interface Pending {
  id: number;
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
  count: number;
  generation: number;
}

/** A fixed set of hashing threads; each runs one batch at a time. */
export class HashWorkers {
  private readonly abortGeneration = new AbortGeneration();
  private readonly workers: (Worker | null)[];
  private readonly pending: (Pending | null)[];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    this.workers = new Array<Worker | null>(size).fill(null);
    this.pending = new Array<Pending | null>(size).fill(null);
  }

  /** Hashes one batch on thread `index`; a dead thread is replaced on the next batch. */
  run(index: number, batch: HashBatch): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new Error('hash workers are closed'));
    if (this.pending[index]) return Promise.reject(new Error(`hash thread ${index} is busy`));
    const worker = this.workers[index] ?? this.spawn(index);
    const generation = this.abortGeneration.current();
    return new Promise<BatchResult>((resolve, reject) => {
      const id = this.nextId++;
      this.pending[index] = { id, resolve, reject, count: batch.count, generation };
      // Fresh copies: a pooled Buffer is a view into a shared 8 KB slab, which structured cloning would copy whole.
      const header = new Uint8Array(batch.header);
      const target = new Uint8Array(batch.target);
      worker.postMessage({ id, header, start: batch.start, count: batch.count, target, generation });
    });
  }

  /** Makes every running batch stop within ~256 hashes (new clean job, disconnect, stop). */
  abortAll(): void {
    this.abortGeneration.bump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abortAll();
    const running = this.workers.filter((w): w is Worker => w !== null);
    this.workers.fill(null);
    await Promise.all(running.map((w) => w.terminate()));
    for (let i = 0; i < this.pending.length; i++) this.settle(i, new Error('hash workers closed'));
  }

  private spawn(index: number): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { abort: this.abortGeneration.flag } });
    worker.on('message', (msg: { id: number; done: number; found: number[] }) => {
      const pending = this.pending[index];
      if (!pending || pending.id !== msg.id) return;
      this.pending[index] = null;
      const aborted = msg.done < pending.count && this.abortGeneration.current() !== pending.generation;
      pending.resolve({ done: msg.done, found: msg.found, aborted });
    });
    worker.on('error', (err) => {
      if (this.workers[index] === worker) this.workers[index] = null;
      this.settle(index, new Error(`hash thread ${index} failed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (this.workers[index] === worker) this.workers[index] = null;
      this.settle(index, new Error(`hash thread ${index} exited (code ${code})`));
    });
    this.workers[index] = worker;
    return worker;
  }

  private settle(index: number, err: Error): void {
    const pending = this.pending[index];
    if (!pending) return;
    this.pending[index] = null;
    pending.reject(err);
  }
}
