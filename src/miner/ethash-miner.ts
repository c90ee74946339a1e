/**
 * The built-in CPU Ethash miner (light mode), for tests and demos: `gxc-pool miner --algo ethash`. It speaks any of
 * the three dialects (ethash-dialects.ts), hashes on worker threads (ethash-threads.ts) with the project's own
 * Ethash, re-checks every find on the main thread against the shared light cache, and submits it.
 *
 * Nonces: each header gets a random starting point in the nonce space the connection owns (the EthereumStratum
 * extranonce fixes the top bytes) and a cursor that only moves forward, so work handed out again with the same
 * header (a re-sent job) never makes the miner submit the same nonce twice.
 */
import { randomBytes } from 'node:crypto';
import { hashimotoLight, hashToBigInt } from '../core/ethash/index.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { type ClientDialect, type EthashClientDialect, type EthashWork, makeClientDialect, type NonceSpace } from './ethash-dialects.js';
import { EthashThreads } from './ethash-threads.js';
import { parseStratumUrl, type StratumEndpoint } from './endpoint.js';
import { MinerEventHub } from './miner-events.js';
import { ReconnectSchedule } from './reconnect.js';
import { StratumConnection } from './stratum-connection.js';
import type { EthashShareEvent, MinerConnectionOptions, MinerHandleOf } from './types.js';

export interface EthashMinerOptions extends MinerConnectionOptions {
  /** Wire dialect (default ethstratum). */
  dialect?: EthashClientDialect;
}

export type EthashMinerHandle = MinerHandleOf<EthashShareEvent>;

const BATCH_TARGET_MS = 500;
const MAX_CURSORS = 64;

interface ActiveWork {
  work: EthashWork;
  space: NonceSpace;
  stale: boolean;
}

export function startEthashMiner(opts: EthashMinerOptions): EthashMinerHandle {
  return new EthashMinerSession(opts).handle;
}

class EthashMinerSession {
  readonly handle: EthashMinerHandle;
  private readonly endpoint: StratumEndpoint;
  private readonly logger: Logger;
  private readonly events: MinerEventHub<EthashShareEvent>;
  private readonly reconnect: ReconnectSchedule;
  private readonly threads: EthashThreads;
  private running = true;
  private conn: StratumConnection | null = null;
  private dialect: ClientDialect | null = null;
  private active: ActiveWork | null = null;
  private live: ActiveWork[] = [];
  /** Per header hash: the next offset from that header's random start (searched nonces are never revisited). */
  private readonly cursors = new Map<string, { base: bigint; next: bigint }>();
  private waiters: (() => void)[] = [];
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly opts: EthashMinerOptions) {
    this.endpoint = parseStratumUrl(opts.url);
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new Error(`miner threads must be an integer from 1 to 64, got ${threads}`);
    this.logger = (opts.logger ?? silentLogger).child({ component: 'ethash-miner', dialect: opts.dialect ?? 'ethstratum' });
    this.events = new MinerEventHub(this.logger, 0);
    this.reconnect = new ReconnectSchedule(opts.reconnectDelayMs ?? 1_000, this.logger, 'ethash miner: reconnecting');
    this.threads = new EthashThreads(threads);
    for (let i = 0; i < threads; i++) this.loops.push(this.loop(i));
    this.handle = this.events.handle(
      () => this.stop(),
      () => this.active?.work.difficulty,
    );
    void this.connect();
  }

  private reportError(message: string): void {
    this.events.reportError(message);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    let conn: StratumConnection;
    try {
      conn = await StratumConnection.connect(this.endpoint.host, this.endpoint.port);
    } catch (err) {
      this.reportError((err as Error).message);
      return this.scheduleReconnect();
    }
    if (!this.running) return conn.close('miner stopped');
    const dialect = makeClientDialect(
      this.opts.dialect ?? 'ethstratum',
      this.opts.user,
      this.opts.password ?? 'x',
      this.opts.userAgent ?? 'gxc-pool-miner/0.1.0',
    );
    this.conn = conn;
    this.dialect = dialect;
    const guarded = (what: string, fn: () => EthashWork | null): void => {
      if (conn !== this.conn) return;
      try {
        const work = fn();
        if (work !== null) this.setWork(work);
      } catch (err) {
        this.reportError(`${what}: ${(err as Error).message}`);
      }
    };
    conn.onMessage((msg) => guarded(msg.method, () => dialect.onNotification(msg)));
    conn.onUnsolicitedReply((reply) => guarded('work push', () => dialect.onPush(reply.result)));
    conn.onProtocolError((problem) => this.reportError(problem));
    conn.onClose((reason) => this.onDisconnect(conn, reason));
    this.logger.info({ host: this.endpoint.host, port: this.endpoint.port }, 'ethash miner: connected');
    try {
      await dialect.handshake(conn);
      this.reconnect.succeeded();
      this.logger.info({ user: this.opts.user }, 'ethash miner: logged in');
      const initial = await dialect.initialWork(conn);
      if (initial !== null && conn === this.conn) this.setWork(initial);
    } catch (err) {
      this.reportError(`handshake failed: ${(err as Error).message}`);
      conn.close('handshake failed');
    }
  }

  private setWork(work: EthashWork): void {
    if (work.clean) this.dropLive();
    this.active = { work, space: this.dialect?.nonceSpace() ?? { prefix: 0n, freeBits: 64 }, stale: false };
    this.live.push(this.active);
    if (this.live.length > 16) this.live.shift();
    this.events.stats.difficulty = work.difficulty;
    // Start building the epoch's cache now; the loops wait for it.
    this.threads.lightCache(work.epoch).catch((err: Error) => this.reportError(`light cache for epoch ${work.epoch}: ${err.message}`));
    this.wake();
    this.events.emit('job', { jobId: work.jobId, clean: work.clean, difficulty: work.difficulty });
  }

  private dropLive(): void {
    for (const w of this.live) w.stale = true;
    this.live = [];
    this.active = null;
    this.threads.abortAll();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** The next range of nonces of `active` (never crossing the end of the connection's nonce space). */
  private nextRange(active: ActiveWork, count: number): { start: bigint; count: number } {
    const key = active.work.headerHash.toString('hex');
    const size = 1n << BigInt(active.space.freeBits);
    let cursor = this.cursors.get(key);
    if (cursor === undefined) {
      cursor = { base: BigInt(`0x${randomBytes(8).toString('hex')}`) % size, next: 0n };
      this.cursors.set(key, cursor);
      if (this.cursors.size > MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value as string);
    }
    const offset = (cursor.base + cursor.next) % size;
    const take = BigInt(count) < size - offset ? BigInt(count) : size - offset;
    cursor.next += take;
    return { start: active.space.prefix | offset, count: Number(take) };
  }

  private async loop(index: number): Promise<void> {
    let batch = 8;
    while (this.running) {
      const active = this.active;
      if (active === null || active.stale) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      try {
        const cache = await this.threads.lightCache(active.work.epoch);
        if (active.stale || active !== this.active) continue;
        const range = this.nextRange(active, batch);
        const started = performance.now();
        const result = await this.threads.run(index, {
          epoch: active.work.epoch,
          headerHash: active.work.headerHash,
          start: range.start,
          count: range.count,
          boundary: active.work.boundary,
        });
        const elapsed = performance.now() - started;
        this.events.stats.hashes += result.done;
        if (result.done === range.count && elapsed > 0) {
          batch = Math.max(2, Math.min(4096, Math.round((result.done / elapsed) * BATCH_TARGET_MS)));
        }
        for (const find of result.found) {
          if (active.stale) break;
          // Re-computed here so a faulty thread can never make the miner submit a bad share.
          const check = hashimotoLight(cache, active.work.headerHash, find.nonce);
          if (!check.mixDigest.equals(find.mixDigest) || hashToBigInt(check.finalHash) > active.work.boundary) {
            this.reportError(`hashing thread reported nonce ${find.nonce.toString(16)} that does not verify; dropped`);
            continue;
          }
          this.submit(active, find.nonce, check.mixDigest, check.finalHash);
        }
      } catch (err) {
        if (!this.running) return;
        this.reportError((err as Error).message);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private submit(active: ActiveWork, nonce: bigint, mixDigest: Buffer, finalHash: Buffer): void {
    const conn = this.conn;
    const dialect = this.dialect;
    if (conn === null || dialect === null || !conn.isOpen) return;
    const event: EthashShareEvent = {
      jobId: active.work.jobId,
      nonce: nonce.toString(16).padStart(16, '0'),
      headerHash: active.work.headerHash.toString('hex'),
      mixDigest: mixDigest.toString('hex'),
      difficulty: active.work.difficulty,
      hashDisplay: finalHash.toString('hex'),
    };
    this.events.trackAnswer(dialect.submit(conn, active.work, nonce, mixDigest), event);
  }

  private onDisconnect(conn: StratumConnection, reason: string): void {
    if (conn !== this.conn) return;
    this.conn = null;
    this.dialect = null;
    this.dropLive();
    if (!this.running) return;
    this.reportError(`disconnected: ${reason}`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.running) this.reconnect.schedule(() => void this.connect());
  }

  private async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.reconnect.cancel();
    this.dropLive();
    this.conn?.close('miner stopped');
    this.wake();
    await this.threads.close();
    await Promise.all(this.loops);
  }
}
