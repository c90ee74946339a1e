/**
 * The Ethash verification service: worker threads build each epoch's light cache once into shared memory (every
 * thread reads the same bytes, no copies), hash shares off the event loop, keep at most `maxCachedEpochs` caches,
 * build the next epoch's cache ahead of the switch, and, in full mode, share a lazily memoised dataset per epoch
 * within a memory budget. A burst of GPU shares queues here (bounded) and never runs on the main thread.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { epochOf, fullDatasetSize, lightCacheSize, MAX_EPOCH, MIX_BYTES, readyBitmapBytes } from '../../core/ethash/index.js';
import { type Logger, silentLogger } from '../../log/logger.js';
import { type DatasetRegion, type EngineKind, SCRATCH_BYTES, wasmAvailable } from './engine.js';
import {
  EthashQueueFullError,
  type EthashResult,
  type EthashVerifier,
  type EthashVerifierOptions,
  type EthashVerifierStats,
} from './verifier-types.js';
import type { FromWorker, ToWorker } from './messages.js';
import { SharedRegions } from './regions.js';
import { spawnEthashWorker } from './spawn.js';

export {
  EthashQueueFullError,
  type EthashResult,
  type EthashVerifier,
  type EthashVerifierOptions,
  type EthashVerifierStats,
  ethashVerifierOptions,
} from './verifier-types.js';

/** How far down the queue a thread looks for a second share of the same epoch to hash with the first. */
const PAIR_LOOKAHEAD = 8;

interface HashJob {
  id: number;
  epoch: number;
  headerHash: Uint8Array;
  nonce: bigint;
  resolve: (r: EthashResult) => void;
  reject: (e: Error) => void;
}

interface EpochState {
  epoch: number;
  /** Region of the light cache in the shared memory. */
  cacheOffset: number;
  built: boolean;
  /** Settles when the cache is built (or its build failed). */
  ready: Promise<void>;
  settle: { resolve: () => void; reject: (e: Error) => void };
  buildQueued: boolean;
  /** Jobs waiting for this epoch's cache. */
  waiting: HashJob[];
  /** Jobs queued or running against this epoch: it is not evicted while any remain. */
  inUse: number;
  lastUsed: number;
  dataset: DatasetRegion | null;
}

/** An evicted epoch whose regions are freed once every thread that held it has answered `dropped`. */
interface Drain {
  state: EpochState;
  holders: Set<number>;
}

interface Slot {
  index: number;
  worker: Worker | null;
  /** What the thread is doing: a hash job, a cache build, or nothing. */
  busy: { kind: 'hash'; jobs: HashJob[] } | { kind: 'build'; epoch: number } | null;
  caches: Set<number>;
  datasets: Set<number>;
  scratch: number;
}

export function createEthashVerifier(opts: EthashVerifierOptions = {}): EthashVerifier {
  return new WorkerEthashVerifier(opts);
}

class WorkerEthashVerifier implements EthashVerifier {
  private readonly logger: Logger;
  private readonly slots: Slot[];
  private readonly maxCachedEpochs: number;
  private readonly maxQueued: number;
  private readonly full: { memoryBudgetBytes: number; backgroundFill: boolean } | null;
  private readonly epochs = new Map<number, EpochState>();
  private readonly ready: HashJob[] = [];
  private readonly builds: number[] = [];
  private readonly drains: Drain[] = [];
  private readonly regions = new SharedRegions();
  private readonly engine: EngineKind;
  private nextId = 1;
  private useClock = 0;
  private closed = false;

  constructor(opts: EthashVerifierOptions) {
    this.logger = (opts.logger ?? silentLogger).child({ component: 'ethash' });
    const threads = opts.threads ?? Math.min(4, Math.max(2, availableParallelism() - 1));
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`ethash threads must be a positive integer, got ${threads}`);
    this.maxCachedEpochs = opts.maxCachedEpochs ?? 3;
    if (!Number.isInteger(this.maxCachedEpochs) || this.maxCachedEpochs < 1) {
      throw new RangeError(`ethash maxCachedEpochs must be a positive integer, got ${this.maxCachedEpochs}`);
    }
    this.maxQueued = opts.maxQueued ?? 4096;
    this.full = opts.fullDataset?.enabled
      ? { memoryBudgetBytes: opts.fullDataset.memoryBudgetBytes, backgroundFill: opts.fullDataset.backgroundFill ?? true }
      : null;
    this.engine = opts.engine ?? (wasmAvailable() ? 'wasm' : 'typescript');
    if (this.engine === 'typescript' && opts.engine === undefined) {
      this.logger.warn({ reason: 'build/ethash.wasm missing' }, 'ethash wasm kernels not built (npm run build:wasm): TypeScript engine, ~2x slower');
    }
    this.slots = Array.from({ length: threads }, (_, index) => ({
      index,
      worker: null,
      busy: null,
      caches: new Set<number>(),
      datasets: new Set<number>(),
      scratch: this.allocate(SCRATCH_BYTES, 'thread scratch'),
    }));
  }

  private allocate(bytes: number, what: string): number {
    const offset = this.regions.allocate(bytes);
    if (offset === null) throw new Error(`ethash shared memory full (4 GiB): cannot hold ${what} of ${bytes} bytes`);
    return offset;
  }

  hash(req: { blockNumber: number; headerHash: Buffer; nonce: bigint }): Promise<EthashResult> {
    if (this.closed) return Promise.reject(new Error('ethash verifier is closed'));
    let epoch: number;
    try {
      epoch = epochOf(req.blockNumber);
      if (req.headerHash.length !== 32) throw new RangeError(`header hash must be 32 bytes, got ${req.headerHash.length}`);
      if (req.nonce < 0n || req.nonce > 0xffffffffffffffffn) throw new RangeError(`nonce must be a 64-bit unsigned integer, got ${req.nonce}`);
    } catch (err) {
      return Promise.reject(err);
    }
    const queued = this.queuedCount();
    if (queued >= this.maxQueued) return Promise.reject(new EthashQueueFullError(queued));
    return new Promise<EthashResult>((resolve, reject) => {
      // A copy of our own: the caller's Buffer may be a view into a shared pool slab, which would be cloned whole.
      const job: HashJob = { id: this.nextId++, epoch, headerHash: new Uint8Array(req.headerHash), nonce: req.nonce, resolve, reject };
      const state = this.ensureEpoch(epoch);
      state.inUse++;
      if (state.built) this.ready.push(job);
      else state.waiting.push(job);
      this.pump();
    });
  }

  async prepare(blockNumber: number): Promise<void> {
    if (this.closed) throw new Error('ethash verifier is closed');
    const epoch = epochOf(blockNumber);
    this.ensureEpoch(epoch);
    if (epoch < MAX_EPOCH && this.maxCachedEpochs > 1) {
      // The next epoch's cache is built now, while shares still come for this one: no stall at the switch.
      this.ensureEpoch(epoch + 1).ready.catch((err: Error) =>
        this.logger.warn({ epoch: epoch + 1, reason: err.message }, 'next-epoch cache build failed'),
      );
    }
    // Touched last, so the current epoch is the most recently used one when it comes to eviction.
    const current = this.ensureEpoch(epoch);
    this.pump();
    await current.ready;
    this.ensureDataset(epoch);
  }

  stats(): EthashVerifierStats {
    const cached = [...this.epochs.values()].filter((s) => s.built);
    const progress = (d: DatasetRegion) => new Int32Array(this.regions.memory.buffer, d.progressOffset, 2);
    return {
      epochsCached: cached.map((s) => s.epoch).sort((a, b) => a - b),
      threads: this.slots.length,
      mode: this.full && [...this.epochs.values()].some((s) => s.dataset) ? 'full' : 'light',
      queued: this.queuedCount(),
      engine: this.engine,
      memoryBytes: this.regions.reservedBytes,
      datasets: cached
        .filter((s) => s.dataset)
        .map((s) => ({ epoch: s.epoch, pagesFilled: Atomics.load(progress(s.dataset!), 1), pages: fullDatasetSize(s.epoch) / MIX_BYTES })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = () => new Error('ethash verifier closed before the hash was computed');
    for (const job of this.ready.splice(0)) job.reject(closedError());
    for (const state of this.epochs.values()) {
      for (const job of state.waiting.splice(0)) job.reject(closedError());
      state.settle.reject(new Error('ethash verifier closed'));
    }
    const running = this.slots.map((slot) => {
      const worker = slot.worker;
      slot.worker = null;
      if (slot.busy?.kind === 'hash') for (const job of slot.busy.jobs) job.reject(closedError());
      slot.busy = null;
      return worker?.terminate();
    });
    await Promise.all(running);
    this.epochs.clear();
  }

  private queuedCount(): number {
    let waiting = this.ready.length;
    for (const state of this.epochs.values()) waiting += state.waiting.length;
    return waiting;
  }

  /** The epoch's state, creating it (and queueing its cache build) on first use; evicts old epochs past the limit. */
  private ensureEpoch(epoch: number): EpochState {
    let state = this.epochs.get(epoch);
    if (!state) {
      let settle!: EpochState['settle'];
      const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      ready.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
      const cacheOffset = this.allocate(lightCacheSize(epoch), `the light cache of epoch ${epoch}`);
      state = { epoch, cacheOffset, built: false, ready, settle, buildQueued: true, waiting: [], inUse: 0, lastUsed: 0, dataset: null };
      this.epochs.set(epoch, state);
      this.builds.push(epoch);
      this.evict();
    }
    state.lastUsed = ++this.useClock;
    return state;
  }

  /** Drops least recently used epochs nobody is waiting on, down to maxCachedEpochs. */
  private evict(): void {
    const candidates = [...this.epochs.values()].filter((s) => s.inUse === 0 && s.built).sort((a, b) => a.lastUsed - b.lastUsed);
    while (this.epochs.size > this.maxCachedEpochs && candidates.length > 0) {
      const victim = candidates.shift()!;
      this.epochs.delete(victim.epoch);
      const drain: Drain = { state: victim, holders: new Set() };
      for (const slot of this.slots) {
        const held = slot.caches.delete(victim.epoch);
        if (slot.datasets.delete(victim.epoch) || held) {
          drain.holders.add(slot.index);
          this.post(slot, { type: 'drop', epoch: victim.epoch });
        }
      }
      this.drains.push(drain);
      this.settleDrains();
      this.logger.info({ epoch: victim.epoch, cacheBytes: lightCacheSize(victim.epoch), dataset: victim.dataset !== null }, 'ethash epoch evicted');
    }
  }

  /** Frees the regions of evicted epochs that no thread uses any more. */
  private settleDrains(): void {
    for (let i = this.drains.length - 1; i >= 0; i--) {
      const { state, holders } = this.drains[i]!;
      if (holders.size > 0) continue;
      this.drains.splice(i, 1);
      this.regions.release(state.cacheOffset, lightCacheSize(state.epoch));
      const d = state.dataset;
      if (d) {
        this.regions.release(d.pagesOffset, fullDatasetSize(d.epoch));
        this.regions.release(d.readyOffset, readyBitmapBytes(d.epoch));
        this.regions.release(d.progressOffset, 8);
      }
    }
  }

  /** Full mode: a memoised dataset for this epoch when the budget (and the 4 GiB shared memory) allows one. */
  private ensureDataset(epoch: number): void {
    const state = this.epochs.get(epoch);
    if (!this.full || !state?.built || state.dataset) return;
    const size = fullDatasetSize(epoch);
    const used = [...this.epochs.values()].reduce((sum, s) => sum + (s.dataset ? fullDatasetSize(s.epoch) : 0), 0);
    const pagesOffset = used + size <= this.full.memoryBudgetBytes ? this.regions.allocate(size) : null;
    if (pagesOffset === null) {
      this.logger.warn(
        { epoch, datasetBytes: size, budgetBytes: this.full.memoryBudgetBytes, usedBytes: used },
        'ethash dataset does not fit: light mode',
      );
      return;
    }
    const readyOffset = this.allocate(readyBitmapBytes(epoch), 'a dataset bitmap');
    const progressOffset = this.allocate(8, 'dataset progress');
    // Reused regions hold old bytes: the bitmap and counters must start at zero (pages are only read once ready).
    new Uint8Array(this.regions.memory.buffer, readyOffset, readyBitmapBytes(epoch)).fill(0);
    new Uint8Array(this.regions.memory.buffer, progressOffset, 8).fill(0);
    state.dataset = { epoch, pagesOffset, readyOffset, progressOffset };
    this.logger.info({ epoch, datasetBytes: size, backgroundFill: this.full.backgroundFill }, 'ethash full dataset allocated (filled lazily)');
    for (const slot of this.slots) if (slot.worker) this.attach(slot, state);
  }

  /** Sends the cache (and dataset) of an epoch to a thread that does not hold it yet. */
  private attach(slot: Slot, state: EpochState): void {
    if (state.built && !slot.caches.has(state.epoch)) {
      slot.caches.add(state.epoch);
      this.post(slot, { type: 'attach-cache', cache: { epoch: state.epoch, offset: state.cacheOffset } });
    }
    if (state.dataset && !slot.datasets.has(state.epoch)) {
      slot.datasets.add(state.epoch);
      this.post(slot, { type: 'attach-dataset', dataset: state.dataset, fill: this.full?.backgroundFill ?? false });
    }
  }

  /** Hands work to idle threads: cache builds first (never on every thread at once), then hashes in arrival order. */
  private pump(): void {
    if (this.closed) return;
    // At most threads − 1 builds at once, so one thread keeps verifying while a cache is being built.
    const maxBuilds = Math.max(1, this.slots.length - 1);
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const buildsRunning = this.slots.filter((s) => s.busy?.kind === 'build').length;
      if (this.builds.length > 0 && buildsRunning < maxBuilds) {
        const epoch = this.builds.shift()!;
        if (!this.epochs.has(epoch)) continue;
        this.setBusy(slot, { kind: 'build', epoch });
        this.post(slot, { type: 'build', cache: { epoch, offset: this.epochs.get(epoch)!.cacheOffset } });
        continue;
      }
      const job = this.ready.shift();
      if (!job) continue;
      const state = this.epochs.get(job.epoch);
      if (!state?.built) {
        job.reject(new Error(`ethash cache for epoch ${job.epoch} is gone`));
        continue;
      }
      this.attach(slot, state);
      const jobs = [job];
      // In light mode a thread hashes two shares of one epoch together for about the price of one (overlapped reads).
      const partner = state.dataset ? -1 : this.ready.findIndex((other, i) => i < PAIR_LOOKAHEAD && other.epoch === job.epoch);
      if (partner >= 0) jobs.push(...this.ready.splice(partner, 1));
      this.setBusy(slot, { kind: 'hash', jobs });
      this.post(slot, { type: 'hash', epoch: job.epoch, jobs: jobs.map((j) => ({ id: j.id, headerHash: j.headerHash, nonce: j.nonce })) });
    }
  }

  /** A thread with work keeps the process alive until the work is answered; an idle one does not. */
  private setBusy(slot: Slot, busy: Slot['busy']): void {
    slot.busy = busy;
    if (busy) (slot.worker ?? this.spawn(slot)).ref();
    else slot.worker?.unref();
  }

  private post(slot: Slot, msg: ToWorker): void {
    const worker = slot.worker ?? this.spawn(slot);
    worker.postMessage(msg);
  }

  private spawn(slot: Slot): Worker {
    const worker = spawnEthashWorker({ memory: this.regions.memory, scratch: slot.scratch, engine: this.engine });
    slot.worker = worker;
    slot.caches.clear();
    slot.datasets.clear();
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onThreadDeath(slot, worker, `failed: ${err.message}`));
    worker.on('exit', (code) => this.onThreadDeath(slot, worker, `exited with code ${code}`));
    // Idle threads must not keep the process alive (the pool's servers do that); busy ones do (setBusy).
    worker.unref();
    return worker;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    const busy = slot.busy;
    if (msg.type === 'built') {
      if (busy?.kind === 'build' && busy.epoch === msg.epoch) this.setBusy(slot, null);
      const state = this.epochs.get(msg.epoch);
      if (state && !state.built) {
        state.built = true;
        slot.caches.add(msg.epoch);
        this.logger.info(
          { epoch: msg.epoch, cacheBytes: lightCacheSize(msg.epoch), ms: Math.round(msg.ms), thread: slot.index, engine: this.engine },
          'ethash light cache built',
        );
        this.ready.push(...state.waiting.splice(0));
        state.settle.resolve();
        this.evict();
      }
    } else if (msg.type === 'dropped') {
      this.drains.find((d) => d.state.epoch === msg.epoch && d.holders.has(slot.index))?.holders.delete(slot.index);
      this.settleDrains();
    } else if (busy?.kind === 'hash' && busy.jobs.some((j) => j.id === msg.id)) {
      const job = busy.jobs.find((j) => j.id === msg.id)!;
      busy.jobs.splice(busy.jobs.indexOf(job), 1);
      if (busy.jobs.length === 0) this.setBusy(slot, null);
      this.release(job.epoch);
      if (msg.type === 'hashed') {
        const bytes = Buffer.from(msg.digests.buffer, msg.digests.byteOffset, 64);
        job.resolve({ mixDigest: bytes.subarray(0, 32), finalHash: bytes.subarray(32, 64) });
      } else {
        job.reject(new Error(`ethash hash failed (epoch ${msg.epoch}): ${msg.message}`));
      }
    }
    this.pump();
  }

  private release(epoch: number): void {
    const state = this.epochs.get(epoch);
    if (state) state.inUse--;
    if (this.epochs.size > this.maxCachedEpochs) this.evict();
  }

  /** A dead thread: its job fails precisely, a build it ran is retried, a fresh thread takes the next work. */
  private onThreadDeath(slot: Slot, worker: Worker, how: string): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    for (const drain of this.drains) drain.holders.delete(slot.index);
    this.settleDrains();
    const busy = slot.busy;
    slot.busy = null;
    if (this.closed) return;
    this.logger.error({ thread: slot.index, reason: how, busy: busy?.kind ?? 'idle' }, 'ethash thread died');
    if (busy?.kind === 'hash') {
      for (const job of busy.jobs) {
        this.release(job.epoch);
        job.reject(new Error(`ethash thread ${slot.index} ${how} while hashing`));
      }
    } else if (busy?.kind === 'build') {
      const state = this.epochs.get(busy.epoch);
      if (state) {
        this.epochs.delete(busy.epoch);
        this.regions.release(state.cacheOffset, lightCacheSize(busy.epoch));
        const err = new Error(`ethash thread ${slot.index} ${how} while building the cache of epoch ${busy.epoch}`);
        for (const job of state.waiting.splice(0)) job.reject(err);
        state.settle.reject(err);
      }
    }
    this.pump();
  }
}
