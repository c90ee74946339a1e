/**
 * The page's live feed: one EventSource on /api/events for the selected pool. The browser reconnects by itself
 * after a dropped connection; if the server refuses (the source ends up CLOSED) we reopen after a back-off.
 * Listeners get the event name and its parsed data; the connection state drives the "live" dot in the nav.
 */

export type LiveState = 'connecting' | 'live' | 'reconnecting';
export type LiveListener = (event: LiveEvent, data: unknown) => void;

/** The named events of /api/events (docs/api.md); `miner` only when the feed names a miner. */
export const LIVE_EVENTS = ['stats', 'block', 'share-summary', 'miner'] as const;
export type LiveEvent = (typeof LIVE_EVENTS)[number];

export class LiveFeed {
  private source: EventSource | null = null;
  private retryTimer: number | undefined;
  private retryMs = 1000;
  private readonly listeners = new Set<LiveListener>();

  constructor(
    private readonly url: () => string,
    private readonly onState: (state: LiveState) => void,
  ) {}

  start(): void {
    this.stop();
    this.onState('connecting');
    const source = new EventSource(this.url());
    this.source = source;
    source.onopen = () => {
      this.retryMs = 1000;
      this.onState('live');
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        this.onState('reconnecting');
        this.retryTimer = window.setTimeout(() => this.start(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 30_000);
      } else this.onState('reconnecting');
    };
    for (const name of LIVE_EVENTS) {
      source.addEventListener(name, (ev) => {
        let data: unknown = null;
        try {
          data = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          data = (ev as MessageEvent<string>).data;
        }
        for (const l of this.listeners) l(name, data);
      });
    }
  }

  stop(): void {
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Runs `task` at most once per `minMs`, however often it is asked: live events can come several times a second,
 * the page refetches what changed on the trailing edge.
 */
export function throttle(task: () => Promise<void>, minMs: number): () => void {
  let last = 0;
  let timer: number | undefined;
  let running = false;
  const run = (): void => {
    timer = undefined;
    if (running) {
      timer = window.setTimeout(run, minMs);
      return;
    }
    running = true;
    last = Date.now();
    void task().finally(() => {
      running = false;
    });
  };
  return () => {
    if (timer !== undefined) return;
    const wait = Math.max(0, last + minMs - Date.now());
    timer = window.setTimeout(run, wait);
  };
}
