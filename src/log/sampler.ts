/**
 * Bounded logging for events a remote peer can trigger at will (junk lines, refused requests, share rejects,
 * refused connections): an attacker must not be able to fill the disk through the log. Per event kind, at most
 * `perWindow` lines are written in each window; the rest are counted and summed up in one line when the window
 * ends. So each event kind writes at most `perWindow + 1` lines per window, however many peers misbehave.
 */
import type { Logger } from './logger.js';

export interface LogSamplerOptions {
  /** Lines written per event kind and window (default 20). */
  perWindow?: number;
  /** Window length in milliseconds (default 10 000). */
  windowMs?: number;
  now?: () => number;
}

interface EventWindow {
  startedAt: number;
  written: number;
  suppressed: number;
}

export const DEFAULT_SAMPLED_LINES_PER_WINDOW = 20;
export const DEFAULT_SAMPLING_WINDOW_MS = 10_000;

export class LogSampler {
  readonly perWindow: number;
  readonly windowMs: number;
  private readonly now: () => number;
  /** Keyed by event kind: a fixed, small set of names chosen by the code, never by a peer. */
  private readonly windows = new Map<string, EventWindow>();
  /** Lines held back since the sampler was made, per event kind (for tests and metrics). */
  readonly suppressedTotal = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    opts: LogSamplerOptions = {},
  ) {
    this.perWindow = opts.perWindow ?? DEFAULT_SAMPLED_LINES_PER_WINDOW;
    this.windowMs = opts.windowMs ?? DEFAULT_SAMPLING_WINDOW_MS;
    this.now = opts.now ?? Date.now;
    if (!Number.isInteger(this.perWindow) || this.perWindow < 1) throw new RangeError(`perWindow must be a positive integer, got ${this.perWindow}`);
    if (!(this.windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${this.windowMs}`);
  }

  /** Whether a line for `event` may be written now; when not, it is counted for the window's summary line. */
  allow(event: string): boolean {
    const now = this.now();
    let w = this.windows.get(event);
    if (w === undefined) {
      w = { startedAt: now, written: 0, suppressed: 0 };
      this.windows.set(event, w);
    } else if (now - w.startedAt >= this.windowMs) {
      this.summarise(event, w);
      w.startedAt = now;
      w.written = 0;
    }
    if (w.written < this.perWindow) {
      w.written++;
      return true;
    }
    w.suppressed++;
    this.suppressedTotal.set(event, (this.suppressedTotal.get(event) ?? 0) + 1);
    return false;
  }

  /** Writes the summary of every window that has ended (call periodically so a quiet period still reports). */
  flush(): void {
    const now = this.now();
    for (const [event, w] of this.windows) {
      if (now - w.startedAt < this.windowMs) continue;
      this.summarise(event, w);
      this.windows.delete(event);
    }
  }

  private summarise(event: string, w: EventWindow): void {
    if (w.suppressed === 0) return;
    this.log.info(
      { event: 'log_suppressed', suppressedEvent: event, suppressed: w.suppressed, windowMs: this.windowMs },
      `${w.suppressed} more '${event}' lines not logged in the last ${Math.round(this.windowMs / 1000)} s`,
    );
    w.suppressed = 0;
  }
}
