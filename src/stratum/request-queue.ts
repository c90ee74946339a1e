/**
 * In-order handling of one connection's messages, with flow control. A message is handed to its handler only
 * after the previous one's handling settled (a `mining.submit` sent right after a `mining.authorize` is judged
 * once that authorize completed), so replies leave in request order by construction.
 *
 * Instead of refusing or disconnecting a miner that sends faster than the pool judges, the queue asks its owner
 * to stop reading the socket while more than `pauseAbove` messages wait, and to read again once the backlog fell
 * to half of that: TCP back-pressure then slows the miner. What waits is bounded by what was read before the
 * pause (one socket chunk at most past the bound).
 */

export interface RequestQueueOptions<T> {
  /** Handles one item; a returned promise holds the next item back until it settles. */
  handle: (item: T) => void | Promise<void>;
  /** A handler threw or its promise rejected; the queue goes on with the next item unless stopped. */
  onError: (item: T, err: unknown) => void;
  /** Called with true when the backlog passes `pauseAbove` (stop reading), false once it is down to half. */
  onBacklog: (overBound: boolean) => void;
  pauseAbove: number;
}

/** Compact the array once this many handled slots lead it (keeps shift O(1) amortised without a ring). */
const COMPACT_AFTER = 1024;

export class RequestQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  private busy = false;
  private draining = false;
  private overBound = false;
  private stopped = false;

  constructor(private readonly opts: RequestQueueOptions<T>) {
    if (!Number.isInteger(opts.pauseAbove) || opts.pauseAbove < 1) {
      throw new RangeError(`pauseAbove must be a positive integer, got ${opts.pauseAbove}`);
    }
  }

  /** Items waiting (not counting one being handled). */
  get backlog(): number {
    return this.items.length - this.head;
  }

  /** Whether an item's handling is in progress (a promise not yet settled). */
  get handling(): boolean {
    return this.busy;
  }

  push(item: T): void {
    if (this.stopped) return;
    this.items.push(item);
    this.drain();
  }

  /** Drops what waits and handles nothing more (the connection is closing). */
  stop(): void {
    this.stopped = true;
    this.items = [];
    this.head = 0;
  }

  private drain(): void {
    // A handler that settles synchronously must not re-enter the loop from inside itself.
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.busy && !this.stopped && this.head < this.items.length) {
        const item = this.items[this.head] as T;
        this.items[this.head] = undefined;
        this.head++;
        this.run(item);
      }
      // Emptied in place (the common case: one request per read): no new array per message.
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      } else if (this.head >= COMPACT_AFTER) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.draining = false;
    }
    this.updateBacklog();
  }

  private run(item: T): void {
    let pending: void | Promise<void>;
    try {
      pending = this.opts.handle(item);
    } catch (err) {
      this.opts.onError(item, err);
      return;
    }
    if (pending === undefined) return;
    this.busy = true;
    pending.then(
      () => this.settled(),
      (err: unknown) => {
        this.opts.onError(item, err);
        this.settled();
      },
    );
  }

  private settled(): void {
    this.busy = false;
    this.drain();
  }

  private updateBacklog(): void {
    if (this.stopped) return;
    const backlog = this.backlog;
    if (!this.overBound && backlog > this.opts.pauseAbove) {
      this.overBound = true;
      this.opts.onBacklog(true);
    } else if (this.overBound && backlog <= Math.floor(this.opts.pauseAbove / 2)) {
      this.overBound = false;
      this.opts.onBacklog(false);
    }
  }
}
