/**
 * When a built-in miner comes back after losing its pool: exponential backoff from a first delay up to 30 s, reset
 * by a successful login, or exactly the wait the pool asked for in client.reconnect (once).
 */
import type { Logger } from '../log/logger.js';

export const MAX_RECONNECT_DELAY_MS = 30_000;

export class ReconnectSchedule {
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private requestedWaitMs: number | null = null;

  constructor(
    private readonly firstDelayMs: number,
    private readonly logger: Logger,
    /** The log line, naming the miner (e.g. "miner: reconnecting"). */
    private readonly message: string,
  ) {}

  /** Logged in: the next loss starts from the first delay again. */
  succeeded(): void {
    this.attempt = 0;
  }

  /** The pool's client.reconnect wait, used for the next attempt instead of the backoff. */
  requestWait(ms: number): void {
    this.requestedWaitMs = ms;
  }

  /** Calls `connect` after the delay; nothing if an attempt is already scheduled. */
  schedule(connect: () => void): void {
    if (this.timer !== null) return;
    let delay: number;
    if (this.requestedWaitMs !== null) {
      delay = this.requestedWaitMs;
      this.requestedWaitMs = null;
    } else {
      delay = Math.min(MAX_RECONNECT_DELAY_MS, this.firstDelayMs * 2 ** this.attempt);
      this.attempt++;
    }
    this.logger.info({ delayMs: delay }, this.message);
    this.timer = setTimeout(() => {
      this.timer = null;
      connect();
    }, delay);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
