/**
 * A burst of Ethash submits against a pool process that also serves SHA-256d miners, and what the SHA-256d side
 * sees meanwhile (shared by test/e2e/ethash-burst.test.ts and bench/ethash-burst.ts). One SV1 miner pipelines real
 * shares (mined against its notify, a submit every `sv1IntervalMs` without waiting for replies) while
 * `ethashConnections` EthereumStratum miners each write their part of `ethashSubmits` in one go: well-formed
 * submits with distinct random nonces, each of which the pool verifies with real Ethash before it answers. Records
 * SV1 submit→reply latency, how many SV1 replies came while Ethash replies were still outstanding, and this
 * process's event-loop delay (the pool runs in this process). Every wait is bounded.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { minerJobFromNotify, mineShare } from '../../bench/support/miner.js';
import { summarize, type LatencySummary } from '../../bench/support/stats.js';

type Json = { id?: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };

class LineClient {
  private buffer = '';
  private readonly waiters: Array<{ match: (m: Json) => boolean; resolve: (m: Json) => void }> = [];
  private readonly seen: Json[] = [];
  onMessage: (m: Json, at: number) => void = () => {};

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      const at = performance.now();
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n')) {
        const msg = JSON.parse(this.buffer.slice(0, nl)) as Json;
        this.buffer = this.buffer.slice(nl + 1);
        this.onMessage(msg, at);
        const w = this.waiters.findIndex((x) => x.match(msg));
        if (w >= 0) this.waiters.splice(w, 1)[0]!.resolve(msg);
        else this.seen.push(msg);
      }
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  write(lines: string): void {
    this.socket.write(lines);
  }

  send(msg: Json): void {
    this.write(`${JSON.stringify(msg)}\n`);
  }

  /** The first message (already seen or coming) that matches; throws after `timeoutMs`. */
  wait(match: (m: Json) => boolean, what: string, timeoutMs = 30_000): Promise<Json> {
    const i = this.seen.findIndex(match);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface EthashBurstOptions {
  port: number;
  /** GXC payout address for both miners' usernames. */
  address: string;
  ethashConnections: number;
  ethashSubmits: number;
  sv1IntervalMs: number;
  /** Stop waiting for replies after this long (the run fails with a precise error). */
  timeoutMs: number;
}

export interface EthashBurstReport {
  burstMs: number;
  ethashReplies: { accepted: number; rejected: number; byError: Record<string, number> };
  sv1: { sent: number; answered: number; accepted: number; latency: LatencySummary; duringBurst: number };
  loopDelayMs: { p50: number; p99: number; max: number };
}

const isReply = (id: number) => (m: Json) => m.id === id;
const isMethod = (method: string) => (m: Json) => m.method === method;

export async function runEthashBurst(o: EthashBurstOptions): Promise<EthashBurstReport> {
  const opened: LineClient[] = [];
  try {
    // The SV1 miner: subscribe, authorize, wait for difficulty and a job.
    const sv1 = await LineClient.open(o.port);
    opened.push(sv1);
    sv1.send({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] });
    const sub = await sv1.wait(isReply(1), 'SV1 subscribe reply');
    const extranonce1 = Buffer.from((sub.result as [unknown, string])[1], 'hex');
    sv1.send({ id: 2, method: 'mining.authorize', params: [`${o.address}.sv1`, 'x'] });
    if ((await sv1.wait(isReply(2), 'SV1 authorize reply')).result !== true) throw new Error('SV1 authorize refused');
    const difficulty = (await sv1.wait(isMethod('mining.set_difficulty'), 'SV1 set_difficulty')).params![0] as number;
    const job = minerJobFromNotify((await sv1.wait(isMethod('mining.notify'), 'SV1 notify')).params!);

    // The Ethash miners (EthereumStratum/1.0.0, as lolMiner): their extranonce sets the nonce prefix.
    const eth: Array<{ c: LineClient; extranonce: string; jobId: string; user: string }> = [];
    for (let i = 0; i < o.ethashConnections; i++) {
      const c = await LineClient.open(o.port);
      opened.push(c);
      c.send({ id: 1, method: 'mining.subscribe', params: ['lolMiner 1.88', 'EthereumStratum/1.0.0'] });
      const extranonce = ((await c.wait(isReply(1), 'Ethash subscribe reply')).result as [unknown, string])[1];
      const user = `${o.address}.gpu${i}`;
      c.send({ id: 2, method: 'mining.authorize', params: [user, 'x'] });
      if ((await c.wait(isReply(2), 'Ethash authorize reply')).result !== true) throw new Error('Ethash authorize refused');
      const notify = await c.wait(isMethod('mining.notify'), 'Ethash notify');
      eth.push({ c, extranonce, jobId: notify.params![0] as string, user });
    }

    // SV1 keeps mining the first job at its difficulty: a job stays valid at the difficulty it was issued with
    // until a block makes it stale, so vardiff raising the difficulty (this miner is fast) costs no mining here.
    const sv1Job = job;
    const sv1Difficulty = difficulty;
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    let sv1Accepted = 0;
    let ethOutstanding = 0;
    let duringBurst = 0;
    sv1.onMessage = (m, at) => {
      if (typeof m.id !== 'number' || !sentAt.has(m.id)) return;
      latencies.push(at - sentAt.get(m.id)!);
      sentAt.delete(m.id);
      if (m.result === true) sv1Accepted++;
      if (ethOutstanding > 0) duringBurst++;
    };
    let nextId = 100;
    let extranonce2 = 0;
    const submitSv1 = (): void => {
      const j = sv1Job;
      const share = mineShare(j, extranonce1, extranonce2++, j.ntime, sv1Difficulty, 0, 4096);
      const id = nextId++;
      sentAt.set(id, performance.now());
      sv1.send({ id, method: 'mining.submit', params: [`${o.address}.sv1`, j.id, share.extranonce2, share.ntime, share.nonce] });
    };

    const delay = monitorEventLoopDelay({ resolution: 10 });
    // SV1 alone for a moment, then the burst lands while SV1 keeps submitting.
    let sv1Sent = 0;
    const ticker = setInterval(() => {
      submitSv1();
      sv1Sent++;
    }, o.sv1IntervalMs);
    await new Promise((r) => setTimeout(r, 200));
    delay.enable();
    const ethResults = { accepted: 0, rejected: 0, byError: {} as Record<string, number> };
    const burstStart = performance.now();
    let burstEnd = burstStart;
    const allEthAnswered = new Promise<void>((resolve) => {
      const per = Math.ceil(o.ethashSubmits / eth.length);
      ethOutstanding = per * eth.length;
      for (const { c, extranonce, jobId, user } of eth) {
        c.onMessage = (m, at) => {
          if (typeof m.id !== 'number' || m.id < 1000) return;
          if (m.result === true) ethResults.accepted++;
          else {
            ethResults.rejected++;
            // The error code (its message carries the share's own difficulty).
            const key = Array.isArray(m.error) ? String(m.error[0]) : JSON.stringify(m.error);
            ethResults.byError[key] = (ethResults.byError[key] ?? 0) + 1;
          }
          if (--ethOutstanding === 0) {
            burstEnd = at;
            resolve();
          }
        };
        const tailHex = 16 - extranonce.length;
        let lines = '';
        for (let k = 0; k < per; k++) {
          const tail = randomBytes(8).toString('hex').slice(0, tailHex);
          lines += `${JSON.stringify({ id: 1000 + k, method: 'mining.submit', params: [user, jobId, tail] })}\n`;
        }
        c.write(lines);
      }
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`Ethash burst not answered within ${o.timeoutMs} ms (${ethOutstanding} outstanding)`)), o.timeoutMs).unref(),
    );
    await Promise.race([allEthAnswered, timeout]);
    delay.disable();
    clearInterval(ticker);
    // The SV1 submits already sent get their answers too (bounded).
    const deadline = Date.now() + 10_000;
    while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return {
      burstMs: burstEnd - burstStart,
      ethashReplies: ethResults,
      sv1: { sent: sv1Sent, answered: latencies.length, accepted: sv1Accepted, latency: summarize(latencies), duringBurst },
      loopDelayMs: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
    };
  } finally {
    for (const c of opened) c.close();
  }
}
