import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LightCache } from '../core/ethash/index.js';
import { AbortGeneration } from './abort-generation.js';

/**
 * Ethash hashing threads for the built-in miner (light mode: dataset items computed from the epoch's light cache).
 * The worker runs the project's own Ethash (core/ethash). Run from source, it registers tsx inside the thread:
 * worker threads do not inherit the loader the main thread runs under (tsx, vitest), so the bootstrap is plain
 * JavaScript evaluated by the Worker and loads tsx by absolute path. Run compiled (dist/), it imports the .js.
 *
 * Caches: thread 0 builds an epoch's light cache in a SharedArrayBuffer and hands it back; the main thread passes
 * the same memory to every other thread (and keeps it to re-check found shares), so each epoch is built once.
 *
 * Protocol: {type:'build', id, epoch} → {id, cache}; {type:'cache', cache} installs one; {type:'batch', id,
 * epoch, header, start, count, boundary, generation} hashes nonces start..start+count-1 (mod 2^64), stopping
 * early once the shared abort counter differs from `generation`, and answers {id, done, found:[{nonce, mix}]}.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const abort = workerData.abort;
const MASK64 = (1n << 64n) - 1n;
const ready = (async () => {
  if (workerData.tsxApiUrl !== null) {
    const { register } = await import(workerData.tsxApiUrl);
    register();
  }
  return import(workerData.ethashUrl);
})();
const caches = new Map();
function remember(cache) {
  caches.set(cache.epoch, cache);
  if (caches.size > 2) caches.delete(caches.keys().next().value);
}
parentPort.on('message', async (msg) => {
  let ethash;
  try {
    ethash = await ready;
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: 'cannot load Ethash in the hashing thread: ' + err.message });
    return;
  }
  if (msg.type === 'cache') return remember(msg.cache);
  if (msg.type === 'build') {
    const cache = caches.get(msg.epoch) || ethash.buildLightCache(msg.epoch, { shared: true });
    remember(cache);
    parentPort.postMessage({ id: msg.id, cache });
    return;
  }
  const cache = caches.get(msg.epoch);
  if (!cache) {
    parentPort.postMessage({ id: msg.id, error: 'no light cache for epoch ' + msg.epoch });
    return;
  }
  const header = Buffer.from(msg.header);
  const found = [];
  let done = 0;
  for (let i = 0; i < msg.count; i++) {
    if ((i & 3) === 0 && Atomics.load(abort, 0) !== msg.generation) break;
    const nonce = (msg.start + BigInt(i)) & MASK64;
    const result = ethash.hashimotoLight(cache, header, nonce);
    done++;
    if (ethash.hashToBigInt(result.finalHash) <= msg.boundary) found.push({ nonce, mix: new Uint8Array(result.mixDigest) });
  }
  parentPort.postMessage({ id: msg.id, done, found });
});
`;

/** tsx's ESM register API by absolute URL (its CommonJS twin cannot register from an eval'd worker). */
function tsxEsmApiUrl(): string {
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = manifest.exports['./esm/api']?.import?.default;
  if (entry === undefined) throw new Error('tsx does not export ./esm/api for import');
  return pathToFileURL(join(dirname(packageJson), entry)).href;
}

export interface EthashBatch {
  epoch: number;
  headerHash: Buffer;
  start: bigint;
  count: number;
  boundary: bigint;
}

export interface EthashBatchResult {
  done: number;
  found: { nonce: bigint; mixDigest: Buffer }[];
}

interface Reply {
  id: number;
  error?: string;
  cache?: LightCache;
  done?: number;
  found?: { nonce: bigint; mix: Uint8Array }[];
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

export class EthashThreads {
  private readonly abortGeneration = new AbortGeneration();
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly caches = new Map<number, Promise<LightCache>>();
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    const fromSource = import.meta.url.endsWith('.ts');
    const workerData = {
      abort: this.abortGeneration.flag,
      tsxApiUrl: fromSource ? tsxEsmApiUrl() : null,
      ethashUrl: new URL(`../core/ethash/index.${fromSource ? 'ts' : 'js'}`, import.meta.url).href,
    };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
      worker.on('message', (reply: Reply) => this.settle(reply));
      worker.on('error', (err) => this.failAll(new Error(`ethash thread ${i} failed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed) this.failAll(new Error(`ethash thread ${i} exited (code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  /** The epoch's light cache, built once (by thread 0) and installed in every thread. */
  lightCache(epoch: number): Promise<LightCache> {
    let cache = this.caches.get(epoch);
    if (cache === undefined) {
      cache = this.call(0, { type: 'build', epoch }).then((reply) => {
        if (reply.cache === undefined) throw new Error(`thread 0 sent no cache for epoch ${epoch}`);
        const built = reply.cache;
        for (const worker of this.workers.slice(1)) worker.postMessage({ type: 'cache', cache: built });
        return built;
      });
      // A failed build is forgotten so the next job can try again.
      cache.catch(() => this.caches.delete(epoch));
      this.caches.set(epoch, cache);
      if (this.caches.size > 2) this.caches.delete(this.caches.keys().next().value as number);
    }
    return cache;
  }

  /** Hashes one batch on thread `index`; resolves early (fewer `done`) after abortAll(). */
  async run(index: number, batch: EthashBatch): Promise<EthashBatchResult> {
    const generation = this.abortGeneration.current();
    const reply = await this.call(index, {
      type: 'batch',
      epoch: batch.epoch,
      header: new Uint8Array(batch.headerHash),
      start: batch.start,
      count: batch.count,
      boundary: batch.boundary,
      generation,
    });
    return {
      done: reply.done ?? 0,
      found: (reply.found ?? []).map((f) => ({ nonce: f.nonce, mixDigest: Buffer.from(f.mix) })),
    };
  }

  /** Makes every running batch stop within a few hashes (new work, disconnect, stop). */
  abortAll(): void {
    this.abortGeneration.bump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abortAll();
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('ethash threads closed'));
  }

  private call(index: number, message: Record<string, unknown>): Promise<Reply> {
    const worker = this.workers[index];
    if (this.closed || worker === undefined) return Promise.reject(new Error('ethash threads are closed'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve(reply);
  }

  private failAll(err: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }
}
