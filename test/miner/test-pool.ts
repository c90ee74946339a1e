/**
 * A tiny Stratum V1 pool for the miner tests, built on node:net. It checks every share on its own: it rebuilds
 * the coinbase, merkle root and header with plain Buffer code and node:crypto (not the miner's code) and
 * compares the hash with the target of the difficulty the job was sent with.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { difficultyToTarget } from '../../src/core/target.js';

export interface PoolJob {
  jobId: string;
  /** Stratum form (word-swapped). */
  prevhash: string;
  coinb1: string;
  coinb2: string;
  branch: string[];
  version: string;
  nbits: string;
  ntime: string;
}

export interface CheckedSubmit {
  session: number;
  params: unknown[];
  jobId: string;
  /** Did the hash meet the share target of the job's difficulty? */
  valid: boolean;
  /** Why the pool rejected it (null when accepted). */
  rejectReason: string | null;
  difficulty: number;
  hashValue: bigint;
  versionBits?: string;
}

interface Session {
  index: number;
  socket: net.Socket;
  extranonce1: string;
  /** job id -> difficulty it was sent with on this session. */
  jobDifficulty: Map<string, number>;
  difficulty: number;
  buffer: string;
}

function sha256d(data: Buffer): Buffer {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

function le32(hex8: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(parseInt(hex8, 16) >>> 0);
  return b;
}

export class TestPool {
  readonly submits: CheckedSubmit[] = [];
  readonly suggestions: unknown[] = [];
  readonly authorized: string[] = [];
  /** Per session: index in `submits` at which the answer to our client.get_version marker arrived. */
  readonly markers: { session: number; submitsBefore: number; answer: unknown }[] = [];
  sessions: Session[] = [];
  connectionCount = 0;
  rejectAllWith: [number, string] | null = null;
  private jobs = new Map<string, PoolJob>();
  private current: PoolJob | null = null;

  private constructor(
    private readonly server: net.Server,
    private readonly opts: { difficulty: number; extranonce2Size: number; versionMask: number | null },
  ) {}

  static async start(opts: { difficulty: number; extranonce2Size?: number; versionMask?: number | null; job?: PoolJob }): Promise<TestPool> {
    const server = net.createServer();
    const pool = new TestPool(server, {
      difficulty: opts.difficulty,
      extranonce2Size: opts.extranonce2Size ?? 4,
      versionMask: opts.versionMask ?? null,
    });
    if (opts.job) pool.setJob(opts.job);
    server.on('connection', (socket) => pool.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return pool;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `stratum+tcp://127.0.0.1:${this.port}`;
  }

  /** Makes `job` the current one without telling anyone (for the first job sent after authorize). */
  setJob(job: PoolJob): void {
    this.jobs.set(job.jobId, job);
    this.current = job;
  }

  /** Sends a job to every session; a clean job makes the older ones unknown (stale). */
  broadcastJob(job: PoolJob, clean: boolean, marker = false): void {
    if (clean) this.jobs.clear();
    this.setJob(job);
    for (const s of this.sessions) {
      s.jobDifficulty.set(job.jobId, s.difficulty);
      let text = this.notifyLine(job, clean);
      // A request right behind the notify: its answer marks the point in the stream where the miner had read it.
      if (marker) text += JSON.stringify({ id: `marker-${job.jobId}`, method: 'client.get_version', params: [] }) + '\n';
      s.socket.write(text);
    }
  }

  /** Sends mining.set_difficulty: it applies to jobs sent afterwards. */
  setDifficulty(difficulty: number): void {
    for (const s of this.sessions) {
      s.difficulty = difficulty;
      this.send(s, { id: null, method: 'mining.set_difficulty', params: [difficulty] });
    }
  }

  sendToAll(message: object): void {
    for (const s of this.sessions) this.send(s, message);
  }

  sendRawToAll(text: string): void {
    for (const s of this.sessions) s.socket.write(text);
  }

  /** Moves every session to a new extranonce1 (NiceHash mining.set_extranonce); applies from the next job. */
  setExtranonce(makeExtranonce1: (session: number) => string): void {
    for (const s of this.sessions) {
      s.extranonce1 = makeExtranonce1(s.index);
      this.send(s, { id: null, method: 'mining.set_extranonce', params: [s.extranonce1, this.opts.extranonce2Size] });
    }
  }

  dropAll(): void {
    for (const s of this.sessions) s.socket.destroy();
    this.sessions = [];
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.connectionCount++;
    const index = this.connectionCount;
    const session: Session = {
      index,
      socket,
      // Unique per connection, as a real pool must make it.
      extranonce1: (0xa0000000 + index).toString(16).padStart(8, '0'),
      jobDifficulty: new Map(),
      difficulty: this.opts.difficulty,
      buffer: '',
    };
    this.sessions.push(session);
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sessions = this.sessions.filter((s) => s !== session);
    });
    socket.on('data', (text: string) => {
      session.buffer += text;
      let nl: number;
      while ((nl = session.buffer.indexOf('\n')) >= 0) {
        const line = session.buffer.slice(0, nl);
        session.buffer = session.buffer.slice(nl + 1);
        if (line.trim()) this.onMessage(session, JSON.parse(line) as { id: unknown; method?: string; params?: unknown[]; result?: unknown });
      }
    });
  }

  private send(s: Session, message: object): void {
    s.socket.write(JSON.stringify(message) + '\n');
  }

  private notifyLine(job: PoolJob, clean: boolean): string {
    const params = [job.jobId, job.prevhash, job.coinb1, job.coinb2, job.branch, job.version, job.nbits, job.ntime, clean];
    return JSON.stringify({ id: null, method: 'mining.notify', params }) + '\n';
  }

  private onMessage(s: Session, msg: { id: unknown; method?: string; params?: unknown[]; result?: unknown }): void {
    const reply = (result: unknown, error: unknown = null): void => this.send(s, { id: msg.id, result, error });
    const params = msg.params ?? [];
    switch (msg.method) {
      case undefined:
        if (typeof msg.id === 'string' && msg.id.startsWith('marker-')) {
          this.markers.push({ session: s.index, submitsBefore: this.submits.length, answer: msg.result });
        }
        return;
      case 'mining.configure':
        if (this.opts.versionMask === null) return reply(null, [20, 'unsupported method', null]);
        return reply({ 'version-rolling': true, 'version-rolling.mask': this.opts.versionMask.toString(16).padStart(8, '0') });
      case 'mining.subscribe':
        return reply([
          [
            ['mining.set_difficulty', '1'],
            ['mining.notify', '1'],
          ],
          s.extranonce1,
          this.opts.extranonce2Size,
        ]);
      case 'mining.suggest_difficulty':
        this.suggestions.push(params[0]);
        return reply(true);
      case 'mining.authorize':
        this.authorized.push(String(params[0]));
        reply(true);
        this.send(s, { id: null, method: 'mining.set_difficulty', params: [s.difficulty] });
        if (this.current) {
          s.jobDifficulty.set(this.current.jobId, s.difficulty);
          s.socket.write(this.notifyLine(this.current, true));
        }
        return;
      case 'mining.submit':
        return this.onSubmit(s, params, reply);
      default:
        return reply(null, [20, `unknown method ${msg.method}`, null]);
    }
  }

  private onSubmit(s: Session, params: unknown[], reply: (result: unknown, error?: unknown) => void): void {
    const [, jobId, en2, ntime, nonce, versionBits] = params as string[];
    const job = this.jobs.get(jobId!);
    const difficulty = s.jobDifficulty.get(jobId!);
    if (!job || difficulty === undefined) {
      this.submits.push({ session: s.index, params, jobId: jobId!, valid: false, rejectReason: 'job not found', difficulty: 0, hashValue: 0n });
      return reply(null, [21, 'job not found', null]);
    }
    let version = parseInt(job.version, 16) >>> 0;
    if (versionBits !== undefined) {
      const mask = this.opts.versionMask ?? 0;
      const bits = parseInt(versionBits, 16) >>> 0;
      if ((bits & ~mask) >>> 0 !== 0) {
        this.submits.push({
          session: s.index,
          params,
          jobId: jobId!,
          valid: false,
          rejectReason: 'version bits outside mask',
          difficulty,
          hashValue: 0n,
          versionBits,
        });
        return reply(null, [20, 'version bits outside the negotiated mask', null]);
      }
      version = ((version & ~mask) | (bits & mask)) >>> 0;
    }
    const coinbase = Buffer.from(job.coinb1 + s.extranonce1 + en2 + job.coinb2, 'hex');
    let root = sha256d(coinbase);
    for (const step of job.branch) root = sha256d(Buffer.concat([root, Buffer.from(step, 'hex')]));
    const prevInternal = Buffer.from(job.prevhash, 'hex');
    for (let i = 0; i < 32; i += 4) prevInternal.subarray(i, i + 4).reverse();
    const versionLE = Buffer.alloc(4);
    versionLE.writeUInt32LE(version);
    const header = Buffer.concat([versionLE, prevInternal, root, le32(ntime!), le32(job.nbits), le32(nonce!)]);
    const hashValue = BigInt('0x' + Buffer.from(sha256d(header)).reverse().toString('hex'));
    const valid = hashValue <= difficultyToTarget(difficulty);
    const rejectReason = this.rejectAllWith ? this.rejectAllWith[1] : valid ? null : 'low difficulty share';
    this.submits.push({ session: s.index, params, jobId: jobId!, valid, rejectReason, difficulty, hashValue, versionBits });
    if (this.rejectAllWith) return reply(null, [this.rejectAllWith[0], this.rejectAllWith[1], null]);
    if (!valid) return reply(null, [23, 'low difficulty share', null]);
    reply(true);
  }
}

/** Polls `predicate` every 20 ms until it holds, failing after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
