import { isHex, reverseBuf } from '../core/bytes.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { parseStratumUrl, type StratumEndpoint } from './endpoint.js';
import { MinerEventHub } from './miner-events.js';
import { ReconnectSchedule } from './reconnect.js';
import { makeActiveWork, SearchLoops, type ActiveWork, type FoundShare } from './search.js';
import { StratumConnection, type PoolMessage } from './stratum-connection.js';
import type { MinerHandle, MinerOptions, ShareEvent } from './types.js';

/** Most submits awaiting the pool's answer; shares found beyond it are counted (`heldBack`) and not sent. */
export const MAX_SUBMITS_IN_FLIGHT = 256;
import { parseNotify, type MinerJob } from './work.js';

/** BIP320's general-purpose version bits: what we ask for; the pool answers with the mask we may roll. */
const REQUESTED_VERSION_MASK = 0x1fffe000;
const DEFAULT_USER_AGENT = 'gxc-pool-miner/0.1.0';

/** Starts mining right away (connects in the background) and returns a handle to watch and stop it. */
export function startMiner(opts: MinerOptions): MinerHandle {
  return new MinerSession(opts).handle;
}

class MinerSession {
  readonly handle: MinerHandle;
  private readonly endpoint: StratumEndpoint;
  private readonly logger: Logger;
  private readonly events: MinerEventHub<ShareEvent>;
  private readonly reconnect: ReconnectSchedule;
  private readonly search: SearchLoops;
  private readonly userAgent: string;
  private running = true;
  private conn: StratumConnection | null = null;
  private subscription: { extranonce1: Buffer; extranonce2Size: number } | null = null;
  private authorized = false;
  private versionMask = 0;
  /** Last mining.set_difficulty: applies from the next job on. */
  private difficulty = 1;
  private pendingExtranonce: { extranonce1: Buffer; extranonce2Size: number } | null = null;
  private lastJob: MinerJob | null = null;
  private work: ActiveWork | null = null;
  /** Every work since the last clean job: all become stale together on a clean job, a disconnect or stop. */
  private liveWorks: ActiveWork[] = [];
  /** The pool's port; client.reconnect may move it. */
  private port: number;

  constructor(private readonly opts: MinerOptions) {
    this.endpoint = parseStratumUrl(opts.url);
    this.port = this.endpoint.port;
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new Error(`miner threads must be an integer from 1 to 256, got ${threads}`);
    }
    if (opts.maxHashesPerSecond !== undefined && !(opts.maxHashesPerSecond > 0)) {
      throw new Error(`maxHashesPerSecond must be > 0, got ${opts.maxHashesPerSecond}`);
    }
    this.logger = (opts.logger ?? silentLogger).child({ component: 'miner' });
    this.events = new MinerEventHub(this.logger, 1);
    this.reconnect = new ReconnectSchedule(opts.reconnectDelayMs ?? 1_000, this.logger, 'miner: reconnecting');
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.search = new SearchLoops(
      threads,
      {
        currentWork: () => this.work,
        onShare: (share) => this.submit(share),
        onHashes: (count) => {
          this.events.stats.hashes += count;
        },
        onError: (message) => this.events.reportError(message),
      },
      opts.maxHashesPerSecond,
    );
    this.handle = this.events.handle(
      () => this.stop(),
      () => this.work?.difficulty ?? this.difficulty,
    );
    void this.connect();
  }

  private reportError(message: string): void {
    this.events.reportError(message);
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const port = this.port;
    let conn: StratumConnection;
    try {
      conn = await StratumConnection.connect(this.endpoint.host, port);
    } catch (err) {
      this.reportError((err as Error).message);
      this.scheduleReconnect();
      return;
    }
    if (!this.running) {
      conn.close('miner stopped');
      return;
    }
    this.conn = conn;
    conn.onMessage((msg) => this.onPoolMessage(conn, msg));
    conn.onProtocolError((problem) => this.reportError(problem));
    conn.onClose((reason) => this.onDisconnect(conn, reason));
    this.logger.info({ host: this.endpoint.host, port }, 'miner: connected');
    try {
      await this.handshake(conn);
    } catch (err) {
      this.reportError(`handshake failed: ${(err as Error).message}`);
      conn.close('handshake failed');
    }
  }

  private async handshake(conn: StratumConnection): Promise<void> {
    if (this.opts.versionRolling) {
      try {
        const answer = await conn.request('mining.configure', [
          ['version-rolling'],
          { 'version-rolling.mask': REQUESTED_VERSION_MASK.toString(16).padStart(8, '0'), 'version-rolling.min-bit-count': 2 },
        ]);
        this.versionMask = parseConfigureAnswer(answer);
      } catch (err) {
        this.logger.info({ err: (err as Error).message }, 'miner: pool does not support version rolling');
      }
    }
    const subscribed = parseSubscribeAnswer(await conn.request('mining.subscribe', [this.userAgent]));
    this.subscription = subscribed;
    if (this.opts.suggestDifficulty !== undefined) {
      // Not awaited: many pools never answer mining.suggest_difficulty.
      conn.request('mining.suggest_difficulty', [this.opts.suggestDifficulty], 10_000).catch(() => undefined);
    }
    const authorized = await conn.request('mining.authorize', [this.opts.user, this.opts.password ?? 'x']);
    if (authorized !== true) throw new Error(`pool refused worker "${this.opts.user}" (answer ${JSON.stringify(authorized)})`);
    this.authorized = true;
    this.reconnect.succeeded();
    this.logger.info({ extranonce1: subscribed.extranonce1.toString('hex'), versionMask: this.versionMask }, 'miner: authorized');
    if (this.lastJob) this.startWork(this.lastJob);
  }

  private onPoolMessage(conn: StratumConnection, msg: PoolMessage): void {
    if (conn !== this.conn) return;
    try {
      switch (msg.method) {
        case 'mining.notify':
          this.onNotify(msg.params);
          break;
        case 'mining.set_difficulty':
          this.difficulty = parseDifficulty(msg.params[0]);
          this.logger.debug({ difficulty: this.difficulty }, 'miner: difficulty set (from the next job)');
          break;
        case 'mining.set_extranonce':
          this.pendingExtranonce = parseExtranonce(msg.params[0], msg.params[1]);
          break;
        case 'client.reconnect':
          this.onReconnectRequest(conn, msg.params);
          break;
        case 'client.show_message':
          this.logger.info({ message: String(msg.params[0] ?? '') }, 'miner: message from the pool');
          if (msg.id !== null) conn.reply(msg.id, true);
          break;
        case 'client.get_version':
          if (msg.id !== null) conn.reply(msg.id, this.userAgent);
          break;
        default:
          if (msg.id !== null) conn.reply(msg.id, null, [20, `unsupported method ${msg.method}`, null]);
      }
    } catch (err) {
      this.reportError(`${msg.method}: ${(err as Error).message}`);
    }
  }

  private onNotify(params: unknown[]): void {
    const job = parseNotify(params);
    this.lastJob = job;
    if (this.pendingExtranonce && this.subscription) {
      this.subscription = this.pendingExtranonce;
      this.pendingExtranonce = null;
    }
    this.startWork(job);
  }

  private startWork(job: MinerJob): void {
    if (!this.subscription || !this.authorized) return;
    // A clean job makes everything older worthless; otherwise shares of running batches stay valid.
    if (job.clean) this.dropLiveWorks();
    const { extranonce1, extranonce2Size } = this.subscription;
    this.work = makeActiveWork(job, extranonce1, extranonce2Size, this.versionMask, this.difficulty);
    this.liveWorks.push(this.work);
    // Batches of older jobs end within one batch after a newer job; no need to remember many.
    if (this.liveWorks.length > 16) this.liveWorks.shift();
    this.events.stats.difficulty = this.difficulty;
    this.search.workChanged(job.clean);
    this.events.emit('job', { jobId: job.jobId, clean: job.clean, difficulty: this.difficulty });
  }

  private dropLiveWorks(): void {
    for (const work of this.liveWorks) work.stale = true;
    this.liveWorks = [];
    this.work = null;
  }

  private submit(share: FoundShare): void {
    const conn = this.conn;
    const { work, unit, nonce } = share;
    if (!conn?.isOpen || work.stale) return;
    // Back-pressure, as real miners bound their submit queue: the pool answers in order, so a full window means it
    // is behind; sending more would only pile up replies this process has no time to read.
    if (conn.inFlight >= MAX_SUBMITS_IN_FLIGHT) {
      this.events.stats.heldBack = (this.events.stats.heldBack ?? 0) + 1;
      return;
    }
    const event: ShareEvent = {
      jobId: work.job.jobId,
      extranonce2: unit.extranonce2.toString('hex'),
      ntime: work.job.ntimeHex,
      nonce: nonce.toString(16).padStart(8, '0'),
      difficulty: work.difficulty,
      hashDisplay: reverseBuf(share.digest).toString('hex'),
    };
    const params: string[] = [this.opts.user, event.jobId, event.extranonce2, event.ntime, event.nonce];
    if (work.versionMask !== 0) {
      // BIP310: the rolled bits only; the pool computes (job version & ~mask) | (bits & mask).
      event.versionBits = ((unit.version & work.versionMask) >>> 0).toString(16).padStart(8, '0');
      params.push(event.versionBits);
    }
    if (share.isBlockCandidate) this.events.stats.blocksHinted++;
    this.events.trackAnswer(conn.request('mining.submit', params), event);
  }

  private onReconnectRequest(conn: StratumConnection, params: unknown[]): void {
    const [host, port, wait] = params;
    if (typeof host === 'string' && host !== '' && host !== this.endpoint.host) {
      // Following a redirect to another host would let anyone on the path move our hash rate elsewhere.
      this.logger.warn({ host }, 'miner: ignoring client.reconnect to a different host; reconnecting to the same one');
    }
    const newPort = Number(port);
    if (Number.isInteger(newPort) && newPort > 0 && newPort < 65536) this.port = newPort;
    const waitSeconds = Number(wait);
    this.reconnect.requestWait(Number.isFinite(waitSeconds) && waitSeconds > 0 ? Math.min(waitSeconds, 3600) * 1000 : 0);
    conn.close('pool asked to reconnect (client.reconnect)');
  }

  private onDisconnect(conn: StratumConnection, reason: string): void {
    if (conn !== this.conn) return;
    this.conn = null;
    this.subscription = null;
    this.authorized = false;
    this.versionMask = 0;
    this.difficulty = 1;
    this.pendingExtranonce = null;
    this.lastJob = null;
    this.dropLiveWorks();
    this.search.workChanged(true);
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
    this.dropLiveWorks();
    this.conn?.close('miner stopped');
    await this.search.stop();
  }
}

function parseConfigureAnswer(answer: unknown): number {
  if (typeof answer !== 'object' || answer === null) return 0;
  const fields = answer as Record<string, unknown>;
  const mask = fields['version-rolling.mask'];
  if (fields['version-rolling'] !== true || typeof mask !== 'string' || !isHex(mask, 4)) return 0;
  // Never roll a bit we did not ask for, whatever the pool grants.
  return (parseInt(mask, 16) & REQUESTED_VERSION_MASK) >>> 0;
}

function parseSubscribeAnswer(answer: unknown): { extranonce1: Buffer; extranonce2Size: number } {
  if (!Array.isArray(answer) || answer.length < 3) {
    throw new Error(`mining.subscribe: unexpected answer ${JSON.stringify(answer)?.slice(0, 120)}`);
  }
  return parseExtranonce(answer[1], answer[2]);
}

function parseExtranonce(extranonce1: unknown, size: unknown): { extranonce1: Buffer; extranonce2Size: number } {
  if (typeof extranonce1 !== 'string' || !isHex(extranonce1)) {
    throw new Error(`extranonce1 must be hex, got ${JSON.stringify(extranonce1)}`);
  }
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > 16) {
    throw new Error(`extranonce2_size must be an integer from 0 to 16, got ${JSON.stringify(size)}`);
  }
  return { extranonce1: Buffer.from(extranonce1, 'hex'), extranonce2Size: size };
}

function parseDifficulty(value: unknown): number {
  const d = typeof value === 'string' ? Number(value) : value;
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) {
    throw new Error(`difficulty must be a positive number, got ${JSON.stringify(value)}`);
  }
  return d;
}
