/**
 * What both built-in miners (SHA-256d and Ethash) do alike around their own protocol: the events they emit, the
 * stats they keep, the handle they return, and how a pool's answer to a share is counted.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log/logger.js';
import { StratumReplyError } from './stratum-connection.js';
import type { BaseShareEvent, MinerEventsOf, MinerHandleOf, MinerStats } from './types.js';

export class MinerEventHub<S extends BaseShareEvent> {
  readonly stats: MinerStats;
  private readonly emitter = new EventEmitter();

  constructor(
    private readonly logger: Logger,
    initialDifficulty: number,
  ) {
    this.stats = { accepted: 0, rejected: 0, hashes: 0, blocksHinted: 0, difficulty: initialDifficulty };
  }

  /** The miner's public handle; `difficulty()` is the current work's, or undefined to report the stats' own. */
  handle(stop: () => Promise<void>, difficulty: () => number | undefined): MinerHandleOf<S> {
    const handle: MinerHandleOf<S> = {
      stop,
      stats: () => ({ ...this.stats, difficulty: difficulty() ?? this.stats.difficulty }),
      on: (event, fn) => {
        this.emitter.on(event, fn);
        return handle;
      },
    };
    return handle;
  }

  emit<E extends keyof MinerEventsOf<S>>(event: E, ...args: Parameters<MinerEventsOf<S>[E]>): void {
    // EventEmitter throws on an unheard 'error'; a miner error must never take the process down.
    if (event === 'error' && this.emitter.listenerCount('error') === 0) return;
    this.emitter.emit(event, ...args);
  }

  reportError(message: string): void {
    this.stats.lastError = message;
    this.logger.warn(message);
    this.emit('error', new Error(message));
  }

  /** Counts the pool's answer to one share and emits accepted or rejected; no answer at all is only an error. */
  trackAnswer(answer: Promise<unknown>, event: S): void {
    answer.then(
      (result) => {
        if (result === true) {
          this.stats.accepted++;
          this.emit('accepted', event);
        } else {
          this.stats.rejected++;
          this.emit('rejected', { ...event, reason: `pool answered ${JSON.stringify(result)}` });
        }
      },
      (err: Error) => {
        if (err instanceof StratumReplyError) {
          this.stats.rejected++;
          this.stats.lastError = err.message;
          this.emit('rejected', { ...event, reason: err.poolMessage });
        } else {
          // No answer (connection lost): the pool may or may not have it; count it as neither.
          this.reportError(`share on job ${event.jobId} got no answer: ${err.message}`);
        }
      },
    );
  }
}
