import { sha256d } from '../core/hash.js';
import { bitsToTarget, difficultyToTarget } from '../core/target.js';
import { HashWorkers } from './hash-workers.js';
import { digestMeetsTarget, targetToBytes, WorkAllocator, type MinerJob, type WorkUnit } from './work.js';

/** One job as being mined: the job, what the connection gave us to mine it, and its share target. */
export interface ActiveWork {
  job: MinerJob;
  extranonce1: Buffer;
  versionMask: number;
  difficulty: number;
  shareTarget: bigint;
  targetBytes: Buffer;
  /** Target from nbits, to tell which shares could be blocks; null if nbits does not decode. */
  networkTarget: bigint | null;
  allocator: WorkAllocator;
  /** Set when a clean job or a disconnect makes this work worthless: its finds are dropped, not submitted. */
  stale: boolean;
}

export function makeActiveWork(job: MinerJob, extranonce1: Buffer, extranonce2Size: number, versionMask: number, difficulty: number): ActiveWork {
  const shareTarget = difficultyToTarget(difficulty);
  let networkTarget: bigint | null;
  try {
    networkTarget = bitsToTarget(job.nbits);
  } catch {
    networkTarget = null;
  }
  return {
    job,
    extranonce1,
    versionMask,
    difficulty,
    shareTarget,
    targetBytes: targetToBytes(shareTarget),
    networkTarget,
    allocator: new WorkAllocator(job, extranonce1, extranonce2Size, versionMask),
    stale: false,
  };
}

/** A nonce a thread found, re-checked on the main thread before it is submitted. */
export interface FoundShare {
  work: ActiveWork;
  unit: WorkUnit;
  nonce: number;
  digest: Buffer;
  isBlockCandidate: boolean;
}

export interface SearchCallbacks {
  /** The current work, or null while there is none (not subscribed, no job yet, disconnected). */
  currentWork(): ActiveWork | null;
  onShare(share: FoundShare): void;
  onHashes(count: number): void;
  onError(message: string): void;
}

const BATCH_TARGET_MS = 200;
const MIN_BATCH = 256;
const MAX_BATCH = 1 << 22;

/**
 * Runs one loop per hashing thread: take a slice from the current work's allocator, hash it off the main
 * thread, re-check and report what it found. New work wakes idle loops; a clean job aborts running batches.
 */
export class SearchLoops {
  private readonly workers: HashWorkers;
  private waiters: (() => void)[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private readonly exhaustedJobs = new WeakSet<ActiveWork>();

  constructor(
    threads: number,
    private readonly callbacks: SearchCallbacks,
    private readonly maxHashesPerSecond?: number,
  ) {
    this.workers = new HashWorkers(threads);
    for (let i = 0; i < threads; i++) this.loops.push(this.loop(i, threads));
  }

  /** Call after the current work changed; `abortRunning` when old work is worthless (clean job, disconnect). */
  workChanged(abortRunning: boolean): void {
    if (abortRunning) this.workers.abortAll();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.workChanged(true);
    await this.workers.close();
    await Promise.all(this.loops);
  }

  private waitForWork(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async loop(index: number, threads: number): Promise<void> {
    let batchSize = 4096;
    const perThreadRate = this.maxHashesPerSecond ? Math.max(1, this.maxHashesPerSecond / threads) : undefined;
    while (this.running) {
      const work = this.callbacks.currentWork();
      if (!work || work.stale) {
        await this.waitForWork();
        continue;
      }
      const size = perThreadRate ? Math.min(batchSize, Math.max(16, Math.floor(perThreadRate / 4))) : batchSize;
      const unit = work.allocator.next(size);
      if (!unit) {
        if (!this.exhaustedJobs.has(work)) {
          this.exhaustedJobs.add(work);
          this.callbacks.onError(`job ${work.job.jobId}: whole extranonce2/nonce space searched; waiting for a new job`);
        }
        await this.waitForWork();
        continue;
      }
      const started = performance.now();
      let result: Awaited<ReturnType<typeof this.workers.run>>;
      try {
        result = await this.workers.run(index, { header: unit.header, start: unit.start, count: unit.count, target: work.targetBytes });
      } catch (err) {
        if (!this.running) return;
        this.callbacks.onError((err as Error).message);
        await sleep(1_000);
        continue;
      }
      const elapsed = performance.now() - started;
      this.callbacks.onHashes(result.done);
      for (const nonce of result.found) this.check(work, unit, nonce);
      if (!result.aborted && result.done > 0 && elapsed > 0) {
        const rate = (result.done / elapsed) * 1000;
        batchSize = Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.round((rate * BATCH_TARGET_MS) / 1000)));
      }
      if (perThreadRate) {
        const minimumMs = (result.done / perThreadRate) * 1000;
        if (elapsed < minimumMs) await sleep(minimumMs - elapsed);
      }
    }
  }

  /** Recomputes the hash on this thread so a faulty worker can never make us submit a bad share. */
  private check(work: ActiveWork, unit: WorkUnit, nonce: number): void {
    if (work.stale) return;
    const header = Buffer.from(unit.header);
    header.writeUInt32LE(nonce, 76);
    const digest = sha256d(header);
    if (!digestMeetsTarget(digest, work.shareTarget)) {
      this.callbacks.onError(`hash thread reported nonce ${nonce} that does not meet the share target; dropped`);
      return;
    }
    const isBlockCandidate = work.networkTarget !== null && digestMeetsTarget(digest, work.networkTarget);
    this.callbacks.onShare({ work, unit, nonce, digest, isBlockCandidate });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
