/**
 * The client side of bench/stratum.ts, in its own process so the server's memory and event loop are measured
 * alone. Opens N Stratum connections to 127.0.0.1, subscribes and authorizes each, mines real shares against the
 * notified job (difficulty from set_difficulty; ~4 hashes per share at 1e-9) and measures submit -> reply time.
 * Driven over IPC (see stratum-protocol.ts); exits when told to close or when the parent goes away.
 */
import { connect, type Socket } from 'node:net';
import { minerJobFromNotify, mineShare, type MinerJob } from './miner.js';
import { absoluteNow, type FromClients, type ToClients } from './stratum-protocol.js';
import { summarize } from './stats.js';

type Json = { id?: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };
type Job = MinerJob & { id: string; ntime: number };

interface Hooks {
  onReply(miner: BenchMiner, id: number, msg: Json): void;
  /** `arrivedAt`: absolute time the chunk carrying the notify was read (before any decoding). */
  onNotify(miner: BenchMiner, job: Job, arrivedAt: number): void;
  onClose(miner: BenchMiner): void;
}

const send = (msg: FromClients): void => {
  process.send?.(msg);
};

class BenchMiner {
  extranonce1: Buffer | null = null;
  job: Job | null = null;
  difficulty = 0;
  authorized = false;
  closed = false;
  private buffer = '';
  private extranonce2 = 0;
  private nextId = 10;
  readonly pending = new Map<number, number>();

  constructor(
    readonly socket: Socket,
    private readonly hooks: Hooks,
  ) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closed = true;
      hooks.onClose(this);
    });
  }

  get ready(): boolean {
    return this.authorized && this.extranonce1 !== null && this.job !== null && this.difficulty > 0;
  }

  write(obj: unknown): void {
    if (!this.closed) this.socket.write(`${JSON.stringify(obj)}\n`);
  }

  /** Mines and sends one share; returns false when the session cannot submit (not ready / closed). */
  submit(worker: string): boolean {
    if (!this.ready || this.closed) return false;
    const job = this.job as Job;
    const share = mineShare(job, this.extranonce1 as Buffer, this.extranonce2++, job.ntime, this.difficulty);
    const id = this.nextId++;
    this.pending.set(id, performance.now());
    this.write({ id, method: 'mining.submit', params: [worker, job.id, share.extranonce2, share.ntime, share.nonce] });
    return true;
  }

  private chunkAt = 0;

  private onData(chunk: string): void {
    this.chunkAt = absoluteNow();
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.onMessage(JSON.parse(line) as Json);
    }
  }

  private onMessage(msg: Json): void {
    if (msg.method === 'mining.set_difficulty') {
      this.difficulty = Number((msg.params ?? [])[0]);
    } else if (msg.method === 'mining.notify') {
      this.job = minerJobFromNotify(msg.params ?? []);
      this.hooks.onNotify(this, this.job, this.chunkAt);
    } else if (msg.method === undefined && typeof msg.id === 'number') {
      if (msg.id === 1 && Array.isArray(msg.result)) this.extranonce1 = Buffer.from(String(msg.result[1]), 'hex');
      else if (msg.id === 2) this.authorized = msg.result === true;
      else this.hooks.onReply(this, msg.id, msg);
    }
  }
}

const miners: BenchMiner[] = [];
const workerOf = new Map<BenchMiner, string>();
let closedConnections = 0;

// Per-phase state, replaced by each 'load' / 'arm'.
let onReply: (miner: BenchMiner, msg: Json, latencyMs: number) => void = () => undefined;
let armedJob: { id: string; received: number; firstAt: number; lastAt: number; done: (() => void) | null } | null = null;

const hooks: Hooks = {
  onReply(miner, id, msg) {
    const sentAt = miner.pending.get(id);
    if (sentAt === undefined) return;
    miner.pending.delete(id);
    onReply(miner, msg, performance.now() - sentAt);
  },
  onNotify(_miner, job, at) {
    if (armedJob === null || job.id !== armedJob.id) return;
    if (armedJob.received === 0) armedJob.firstAt = at;
    armedJob.lastAt = at;
    armedJob.received++;
    if (armedJob.received === miners.length) armedJob.done?.();
  },
  onClose() {
    closedConnections++;
  },
};

function openOne(port: number, username: string, deadline: number): Promise<BenchMiner> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const miner = new BenchMiner(socket, hooks);
    const timer = setTimeout(() => reject(new Error('handshake timed out')), Math.max(1, deadline - Date.now()));
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      // Pipelined like real miners: subscribe and authorize in one write.
      miner.write({ id: 1, method: 'mining.subscribe', params: ['gxc-bench/1.0'] });
      miner.write({ id: 2, method: 'mining.authorize', params: [username, 'x'] });
    });
    // Ready = subscribed, authorized, difficulty and first job received; checked on every chunk.
    socket.on('data', function check() {
      if (miner.ready) {
        socket.off('data', check);
        clearTimeout(timer);
        resolve(miner);
      }
    });
  });
}

async function connectAll(msg: Extract<ToClients, { type: 'connect' }>): Promise<void> {
  const t0 = performance.now();
  const deadline = Date.now() + msg.timeoutMs;
  const errors: string[] = [];
  for (let start = 0; start < msg.count && Date.now() < deadline; start += msg.wave) {
    const wave = [];
    for (let i = start; i < Math.min(msg.count, start + msg.wave); i++) {
      const username = msg.usernames[i % msg.usernames.length] as string;
      wave.push(
        openOne(msg.port, username, deadline).then(
          (m) => {
            miners.push(m);
            workerOf.set(m, username);
          },
          (err: Error) => {
            if (errors.length < 5) errors.push(err.message);
          },
        ),
      );
    }
    await Promise.all(wave);
  }
  send({ type: 'connected', ok: miners.length, failed: msg.count - miners.length, ms: performance.now() - t0, errors });
}

async function runLoad(msg: Extract<ToClients, { type: 'load' }>): Promise<void> {
  const latencies: number[] = [];
  const rejected: Record<string, number> = {};
  let sent = 0;
  let replies = 0;
  let accepted = 0;
  const t0 = performance.now();
  const end = t0 + msg.seconds * 1000;
  const canSend = (): boolean => sent < msg.maxSubmits && performance.now() < end;
  const sendFrom = (m: BenchMiner): void => {
    if (canSend() && m.submit(workerOf.get(m) as string)) sent++;
  };

  onReply = (miner, reply, latencyMs) => {
    replies++;
    latencies.push(latencyMs);
    if (reply.result === true) accepted++;
    else {
      const text = Array.isArray(reply.error) ? String(reply.error[1]) : JSON.stringify(reply.error);
      rejected[text] = (rejected[text] ?? 0) + 1;
    }
    if (msg.mode === 'closed') sendFrom(miner);
  };

  if (msg.mode === 'closed') {
    for (const m of miners) sendFrom(m);
  } else {
    // Open loop: connection i is due at phase_i + k / rate, so submits are spread evenly over time.
    const interval = 1000 / msg.ratePerConnection;
    const due = miners.map((_, i) => t0 + (interval * i) / Math.max(1, miners.length));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        if (!canSend()) {
          clearInterval(timer);
          return resolve();
        }
        miners.forEach((m, i) => {
          if ((due[i] as number) <= now) {
            sendFrom(m);
            due[i] = (due[i] as number) + interval;
          }
        });
      }, 5);
    });
  }
  // Let answers in flight arrive: bounded wait (5 s), polled every 10 ms.
  const settleDeadline = performance.now() + msg.seconds * 1000 + 5000;
  while (replies < sent && performance.now() < settleDeadline) await new Promise((r) => setTimeout(r, 10));
  const elapsedMs = performance.now() - t0;
  onReply = () => undefined;
  for (const m of miners) m.pending.clear();
  send({
    type: 'load-done',
    sent,
    replies,
    accepted,
    rejected,
    unanswered: sent - replies,
    elapsedMs,
    latencyMs: summarize(latencies),
    closedConnections,
  });
}

function arm(jobId: string): void {
  const state = { id: jobId, received: 0, firstAt: 0, lastAt: 0, done: null as (() => void) | null };
  armedJob = state;
  const report = (): void => {
    if (armedJob !== state) return;
    armedJob = null;
    clearTimeout(timer);
    send({ type: 'notified', received: state.received, firstAt: state.firstAt, lastAt: state.lastAt });
  };
  state.done = report;
  const timer = setTimeout(report, 10_000);
  send({ type: 'armed' });
}

function closeAll(): void {
  for (const m of miners) m.socket.destroy();
  process.disconnect?.();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('disconnect', () => {
  for (const m of miners) m.socket.destroy();
  process.exit(0);
});
process.on('message', (raw: unknown) => {
  const msg = raw as ToClients;
  const fail = (err: unknown): void => send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  try {
    if (msg.type === 'connect') connectAll(msg).catch(fail);
    else if (msg.type === 'load') runLoad(msg).catch(fail);
    else if (msg.type === 'arm') arm(msg.jobId);
    else if (msg.type === 'close') closeAll();
  } catch (err) {
    fail(err);
  }
});
