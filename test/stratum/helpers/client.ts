/** A line-based test client for the Stratum server: sends JSON lines, collects every message it receives. */
import { connect, type Socket } from 'node:net';

export type Message = Record<string, unknown> & { id?: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };

export class TestClient {
  readonly received: Message[] = [];
  /** Messages not yet consumed by `next`/`waitFor`. */
  private queue: Message[] = [];
  private waiters: (() => void)[] = [];
  private buffer = '';
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const msg = JSON.parse(line) as Message;
        this.received.push(msg);
        this.queue.push(msg);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** `host`/`localAddress` let a test connect as another loopback address (127.0.0.2) or over IPv6 (::1). */
  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, localAddress }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(obj: unknown): void {
    this.socket.write(`${JSON.stringify(obj)}\n`);
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Removes and returns the first queued message matching `pred`, waiting up to `timeoutMs` for it. */
  async waitFor(pred: (m: Message) => boolean, timeoutMs = 3000, what = 'message'): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.queue.findIndex(pred);
      if (i !== -1) return this.queue.splice(i, 1)[0] as Message;
      const left = deadline - Date.now();
      if (left <= 0 || this.isClosed) {
        throw new Error(`timed out waiting for ${what}; queued: ${JSON.stringify(this.queue).slice(0, 600)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next reply (a message without `method`) with this id. */
  reply(id: unknown, timeoutMs = 3000): Promise<Message> {
    return this.waitFor((m) => m.method === undefined && m.id === id, timeoutMs, `reply to id ${String(id)}`);
  }

  notification(method: string, timeoutMs = 3000): Promise<Message> {
    return this.waitFor((m) => m.method === method, timeoutMs, method);
  }

  /** Sends a request and returns its reply. */
  async call(id: unknown, method: string, params: unknown[]): Promise<Message> {
    this.send({ id, method, params });
    return this.reply(id);
  }

  /** Messages received but not consumed. */
  pending(): Message[] {
    return [...this.queue];
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Every reply (no `method`) must carry both keys, one of them null. */
export function assertWellFormedReplies(messages: Message[]): void {
  for (const m of messages) {
    if (m.method !== undefined) continue;
    if (!('error' in m) || !('result' in m)) throw new Error(`reply without result/error: ${JSON.stringify(m)}`);
    if (m.error !== null) {
      if (m.result !== null) throw new Error(`error reply with non-null result: ${JSON.stringify(m)}`);
      const e = m.error;
      if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'number' || typeof e[1] !== 'string' || e[2] !== null) {
        throw new Error(`error is not [code, message, null]: ${JSON.stringify(m)}`);
      }
    }
  }
}
