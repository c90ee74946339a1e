/**
 * One load-generator session: a plain Stratum V1 miner on one TCP connection (subscribe, optional
 * suggest_difficulty, authorize pipelined in one write, as firmwares do), tracking the announced difficulty and
 * job, and timing each submit until its reply. It speaks only the protocol, so it works against any pool.
 */
import { connect, type Socket } from 'node:net';
import { parseNotify, type MinerJob } from '../miner/work.js';
import { grindShare, nbitsTargetBytes, randomShare, shareTargetBytes, type SubmitFields } from './shares.js';
import type { ShareKind } from './options.js';

const MAX_LINE_CHARS = 256 * 1024;
const SUBSCRIBE_ID = 1;
const AUTHORIZE_ID = 2;
const SUGGEST_ID = 3;
const FIRST_SUBMIT_ID = 10;

export interface SessionHooks {
  /** `shareHash`: the submitted share's hash (display hex) when the session ground it, else null. */
  onReply(session: LoadSession, accepted: boolean, error: string | null, latencyMs: number, shareHash: string | null): void;
  /** A clean job arrived; `at` is absolute (timeOrigin + now) so processes compare. */
  onCleanJob(jobId: string, at: number): void;
  onClose(session: LoadSession): void;
}

export interface SessionSetup {
  host: string;
  port: number;
  localAddress: string | undefined;
  username: string;
  password: string;
  suggestDifficulty: number | undefined;
  shares: ShareKind;
  maxGrindHashes: number;
}

export const absoluteNow = (): number => performance.timeOrigin + performance.now();

export class LoadSession {
  extranonce1: Buffer | null = null;
  extranonce2Size = 0;
  difficulty = 0;
  job: MinerJob | null = null;
  authorized = false;
  closed = false;
  /** Why the session stopped being usable (refused authorize, protocol error, disconnect). */
  problem: string | null = null;
  hashes = 0;
  grindFailures = 0;
  readonly pending = new Map<number, number>();
  /** Hash of each ground share in flight, by request id (random shares have none). */
  private readonly pendingHashes = new Map<number, string>();
  private readonly socket: Socket;
  private buffer = '';
  private nextId = FIRST_SUBMIT_ID;
  private extranonce2Counter = 0;
  private shareTarget: Buffer | null = null;
  private chunkAt = 0;

  constructor(
    private readonly setup: SessionSetup,
    private readonly hooks: SessionHooks,
    private readonly random: () => number,
  ) {
    this.socket = connect({ host: setup.host, port: setup.port, localAddress: setup.localAddress });
    this.socket.setEncoding('utf8');
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      const lines = [{ id: SUBSCRIBE_ID, method: 'mining.subscribe', params: ['gxc-pool-loadgen/1.0'] }];
      if (setup.suggestDifficulty !== undefined)
        lines.push({ id: SUGGEST_ID, method: 'mining.suggest_difficulty', params: [setup.suggestDifficulty] as never });
      lines.push({ id: AUTHORIZE_ID, method: 'mining.authorize', params: [setup.username, setup.password] });
      this.socket.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    });
    this.socket.on('data', (chunk: string) => this.onData(chunk));
    this.socket.on('error', (err) => {
      this.problem ??= `socket error: ${err.message}`;
    });
    this.socket.once('close', () => {
      this.closed = true;
      this.problem ??= 'closed by the pool';
      hooks.onClose(this);
    });
  }

  /** Subscribed, authorized, with a difficulty and a job: shares can be made. */
  get ready(): boolean {
    return !this.closed && this.authorized && this.extranonce1 !== null && this.job !== null && this.difficulty > 0;
  }

  /**
   * Makes and sends one share. Returns false when the session cannot submit now (not ready, or the announced
   * target is too hard to grind within the bound).
   */
  submit(): boolean {
    if (!this.ready) return false;
    const job = this.job as MinerJob;
    const share = this.makeShare(job);
    if (share === null) return false;
    const { fields, hashDisplay } = share;
    const id = this.nextId++;
    this.pending.set(id, performance.now());
    if (hashDisplay !== null) this.pendingHashes.set(id, hashDisplay);
    this.socket.write(
      `${JSON.stringify({ id, method: 'mining.submit', params: [this.setup.username, job.jobId, fields.extranonce2, fields.ntime, fields.nonce] })}\n`,
    );
    return true;
  }

  /**
   * Grinds a share that meets the job's network target (nbits): a block on a low-difficulty chain, whose clean job
   * the fan-out measurement then waits for. Bounded by `maxHashes`; null when none was found.
   */
  submitBlock(maxHashes: number): { sentAt: number; hashes: number } | null {
    if (!this.ready) return null;
    const job = this.job as MinerJob;
    const found = grindShare(
      job,
      this.extranonce1 as Buffer,
      this.extranonce2Size,
      this.extranonce2Counter++,
      nbitsTargetBytes(job.nbits),
      maxHashes,
    );
    this.hashes += found.hashes;
    if (!found.ok) return { sentAt: Number.NaN, hashes: found.hashes };
    const sentAt = absoluteNow();
    const f = found.fields;
    this.socket.write(
      `${JSON.stringify({ id: this.nextId++, method: 'mining.submit', params: [this.setup.username, job.jobId, f.extranonce2, f.ntime, f.nonce] })}\n`,
    );
    return { sentAt, hashes: found.hashes };
  }

  /** Forgets the requests in flight (their answers, if they come, are no longer counted). */
  clearPending(): void {
    this.pending.clear();
    this.pendingHashes.clear();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private makeShare(job: MinerJob): { fields: SubmitFields; hashDisplay: string | null } | null {
    const counter = this.extranonce2Counter++;
    if (this.setup.shares === 'random') return { fields: randomShare(job, this.extranonce2Size, counter, this.random), hashDisplay: null };
    this.shareTarget ??= shareTargetBytes(this.difficulty);
    const found = grindShare(job, this.extranonce1 as Buffer, this.extranonce2Size, counter, this.shareTarget, this.setup.maxGrindHashes);
    this.hashes += found.hashes;
    if (found.ok) return { fields: found.fields, hashDisplay: found.hashDisplay };
    this.grindFailures++;
    return null;
  }

  private onData(chunk: string): void {
    // Arrival is stamped before any decoding, so the fan-out time is not this client's parsing time.
    this.chunkAt = absoluteNow();
    this.buffer += chunk;
    let nl = this.buffer.indexOf('\n');
    while (nl !== -1) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line.length > 0) this.onLine(line);
      nl = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > MAX_LINE_CHARS) this.fail(`line longer than ${MAX_LINE_CHARS} characters from the pool`);
  }

  private onLine(line: string): void {
    let msg: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return this.fail(`pool sent a line that is not JSON: ${line.slice(0, 80)}`);
    }
    if (typeof msg.method === 'string') return this.onNotification(msg.method, msg.params);
    if (typeof msg.id !== 'number') return;
    if (msg.id === SUBSCRIBE_ID) return this.onSubscribed(msg.result, msg.error);
    if (msg.id === AUTHORIZE_ID) {
      this.authorized = msg.result === true;
      if (!this.authorized) this.fail(`authorize refused: ${JSON.stringify(msg.error)?.slice(0, 160)}`);
      return;
    }
    const sentAt = this.pending.get(msg.id);
    if (sentAt === undefined) return;
    this.pending.delete(msg.id);
    const shareHash = this.pendingHashes.get(msg.id) ?? null;
    this.pendingHashes.delete(msg.id);
    const accepted = msg.result === true && (msg.error === null || msg.error === undefined);
    const error = accepted ? null : errorText(msg.error);
    this.hooks.onReply(this, accepted, error, performance.now() - sentAt, shareHash);
  }

  private onSubscribed(result: unknown, error: unknown): void {
    if (!Array.isArray(result) || typeof result[1] !== 'string' || typeof result[2] !== 'number') {
      return this.fail(`subscribe refused or malformed: ${JSON.stringify(error ?? result)?.slice(0, 160)}`);
    }
    this.extranonce1 = Buffer.from(result[1], 'hex');
    this.extranonce2Size = result[2];
  }

  private onNotification(method: string, params: unknown): void {
    if (method === 'mining.set_difficulty' && Array.isArray(params) && typeof params[0] === 'number' && params[0] > 0) {
      this.difficulty = params[0];
      this.shareTarget = null;
    } else if (method === 'mining.notify') {
      const at = this.chunkAt;
      try {
        this.job = parseNotify(params);
      } catch (err) {
        return this.fail((err as Error).message);
      }
      if (this.job.clean) this.hooks.onCleanJob(this.job.jobId, at);
    }
  }

  private fail(problem: string): void {
    this.problem ??= problem;
    this.socket.destroy();
  }
}

/** The reply's error with numbers and quoted values masked, so rejects group by reason ("23 Low difficulty share (# < #)"). */
function errorText(error: unknown): string {
  let text: string;
  if (Array.isArray(error)) text = `${String(error[0])} ${String(error[1])}`;
  else if (error !== null && typeof error === 'object' && 'message' in error) text = String((error as { message: unknown }).message);
  else text = JSON.stringify(error ?? null);
  const code = /^\d+ /.exec(text)?.[0] ?? '';
  const rest = text
    .slice(code.length)
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d[\d.e+-]*/g, '#');
  return (code + rest).slice(0, 120);
}
