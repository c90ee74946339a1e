/**
 * Keeps one current piece of work from the node: new blocks are seen within `pollMs` (tip polling), by long
 * poll when the node offers it, or at once through `refreshNow()` (blocknotify hook, block found); the template
 * is refreshed every `refreshSeconds` without cleaning jobs. If the node is unreachable the last valid work stays
 * (miners stay connected) and the failure is logged loudly — work is never invented.
 *
 * Failure lines are sampled: one line per cause (the failing call and the kind of failure, not the varying
 * bytes of a garbage answer) per `FAILURE_LOG_EVERY_MS`, the next one counting the failures left out. A flapping
 * or garbage-spewing node polled four times a second would otherwise write a line per poll. `lastNodeError()`
 * always holds the latest full message.
 */
import { EventEmitter } from 'node:events';
import type { ChainAdapter, Sha256dWork } from '../chains/types.js';
import type { Logger } from '../log/logger.js';
import { RpcError, RpcTransportError } from '../rpc/types.js';

/** A node failure of the same cause is logged at most once per this period. */
const FAILURE_LOG_EVERY_MS = 30_000;

export interface WorkSourceOptions {
  chain: ChainAdapter;
  extranonceSize: number;
  pollMs: number;
  refreshSeconds: number;
  logger: Logger;
}

export interface WorkSourceEvents {
  work: [work: Sha256dWork, clean: boolean];
}

export class WorkSource extends EventEmitter<WorkSourceEvents> {
  private work: Sha256dWork | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private fetching: Promise<void> | null = null;
  private lastRefresh = 0;
  private nodeError: string | null = null;
  private longPoll: AbortController | null = null;
  /** When each failure cause was last logged (a handful of causes; cleared if it ever grows). */
  private readonly causeLoggedAt = new Map<string, number>();
  private unlogged = 0;
  private recoveryLoggedAt = 0;

  constructor(private readonly opts: WorkSourceOptions) {
    super();
  }

  current(): Sha256dWork | null {
    return this.work;
  }

  /** Null while the node answers; otherwise the last failure, for the API and dashboard. */
  lastNodeError(): string | null {
    return this.nodeError;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.refreshNow('startup');
    this.schedule();
    this.runLongPoll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.longPoll?.abort();
  }

  /** Fetches a template now; concurrent calls share one fetch. */
  refreshNow(reason: string): Promise<void> {
    if (!this.fetching) {
      this.fetching = this.fetch(reason).finally(() => {
        this.fetching = null;
      });
    }
    return this.fetching;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.opts.pollMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const due = Date.now() - this.lastRefresh >= this.opts.refreshSeconds * 1000;
    if (!this.work || this.nodeError || due) {
      await this.refreshNow(this.work ? (due ? 'periodic refresh' : 'node retry') : 'no work yet');
      return;
    }
    try {
      const tip = await this.opts.chain.getBestBlockHash();
      if (this.nodeError) this.recovered();
      if (this.work && tip !== this.work.prevHashDisplay) await this.refreshNow(`new tip ${tip}`);
    } catch (err) {
      this.failed('tip poll', err);
    }
  }

  private async fetch(reason: string): Promise<void> {
    try {
      const work = await this.opts.chain.getWork(this.opts.extranonceSize);
      this.lastRefresh = Date.now();
      if (this.nodeError) this.recovered();
      const previous = this.work;
      const clean = !previous || previous.prevHashDisplay !== work.prevHashDisplay;
      if (!clean && previous && previous.templateKey === work.templateKey) return;
      this.work = work;
      this.opts.logger.info(
        { event: 'new_work', reason, height: work.height, prev: work.prevHashDisplay, txs: work.txCount, clean, reward: work.reward.toString() },
        clean ? `new block template at height ${work.height}` : `template refreshed at height ${work.height}`,
      );
      this.emit('work', work, clean);
    } catch (err) {
      this.failed(`template fetch (${reason})`, err);
    }
  }

  private failed(what: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.nodeError = message;
    const cause = `${what.replace(/ \(.*\)$/, '')}: ${causeOf(err)}`;
    const now = Date.now();
    if (now - (this.causeLoggedAt.get(cause) ?? 0) < FAILURE_LOG_EVERY_MS) {
      this.unlogged += 1;
      return;
    }
    this.opts.logger.error(
      { event: 'node_unavailable', what, err: message, keptWork: this.work ? this.work.height : null, notLoggedSince: this.unlogged },
      `node unavailable during ${what}: ${message} — miners keep the last valid job; no new work until the node answers`,
    );
    if (this.causeLoggedAt.size >= 64) this.causeLoggedAt.clear();
    this.causeLoggedAt.set(cause, now);
    this.unlogged = 0;
  }

  private recovered(): void {
    const now = Date.now();
    if (now - this.recoveryLoggedAt >= FAILURE_LOG_EVERY_MS) {
      this.opts.logger.warn({ event: 'node_recovered', previousError: this.nodeError }, 'node answers again');
      this.recoveryLoggedAt = now;
    }
    this.nodeError = null;
  }

  /** Long polling, when the adapter offers it: returns as soon as the node has a new template. */
  private runLongPoll(): void {
    const wait = this.opts.chain.waitForTemplateChange?.bind(this.opts.chain);
    if (!wait) return;
    const loop = async (): Promise<void> => {
      while (!this.stopped) {
        const work = this.work;
        if (!work || this.nodeError) {
          await new Promise((r) => setTimeout(r, this.opts.pollMs).unref());
          continue;
        }
        this.longPoll = new AbortController();
        try {
          await wait(work, this.longPoll.signal);
          if (!this.stopped) await this.refreshNow('long poll');
        } catch {
          // Long poll is an accelerator only: tip polling still runs; back off briefly.
          await new Promise((r) => setTimeout(r, 1000).unref());
        }
      }
    };
    void loop();
  }
}

/** What a failure is, without the parts that vary between answers (previews of garbage bodies, ids). */
function causeOf(err: unknown): string {
  if (err instanceof RpcError) return `${err.method}: node error ${err.code}`;
  if (err instanceof RpcTransportError) {
    const { httpStatus, errorCode } = err.details;
    if (errorCode !== undefined) return `${err.method}: ${errorCode}`;
    if (httpStatus !== undefined) return `${err.method}: HTTP ${httpStatus}${err.reason.includes('non-JSON') ? ' non-JSON' : ''}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  // "invalid getblocktemplate result: height: …" and "…: curtime: …" are one cause (a malformed answer); so are
  // "getbestblockhash answered 42" and "answered []".
  const head = message.split(': ')[0] ?? message;
  return head.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|\{[^}]*\}|\[[^\]]*\]|\b(?:true|false|null)\b/g, '…').slice(0, 200);
}
