import net from 'node:net';

/** An error reply from the pool: Stratum's [code, message, traceback] (or a JSON-RPC 2.0 error object). */
export class StratumReplyError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | null,
    readonly poolMessage: string,
  ) {
    super(`${method}: pool error${code === null ? '' : ` ${code}`}: ${poolMessage}`);
    this.name = 'StratumReplyError';
  }
}

/** A message the pool started: a notification (id null/absent) or a request we must answer (client.get_version). */
export interface PoolMessage {
  id: number | string | null;
  method: string;
  params: unknown[];
}

interface PendingRequest {
  method: string;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

// A line this long without a newline is not a Stratum message; stop reading instead of buffering forever.
const MAX_LINE_BYTES = 256 * 1024;

/** Newline-delimited JSON-RPC over one TCP connection, from the miner's side. */
export class StratumConnection {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private closedReason: string | null = null;
  private messageHandler: (msg: PoolMessage) => void = () => undefined;
  private closeHandler: (reason: string) => void = () => undefined;
  private protocolErrorHandler: (problem: string) => void = () => undefined;
  private unsolicitedHandler: ((reply: { id: unknown; result: unknown; error: unknown }) => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (text: string) => this.onData(text));
    socket.on('error', (err) => this.shutdown(`socket error: ${err.message}`));
    socket.on('close', () => this.shutdown('connection closed by the pool'));
  }

  static connect(host: string, port: number, timeoutMs = 10_000): Promise<StratumConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${host}:${port}: ${err.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new StratumConnection(socket));
      });
    });
  }

  onMessage(fn: (msg: PoolMessage) => void): void {
    this.messageHandler = fn;
  }

  onClose(fn: (reason: string) => void): void {
    this.closeHandler = fn;
  }

  /** Lines that are not JSON or not JSON-RPC: reported, then skipped (one bad line must not end the session). */
  onProtocolError(fn: (problem: string) => void): void {
    this.protocolErrorHandler = fn;
  }

  /** Replies to no request of ours: eth-proxy pools push new work as `{"id":0,"result":[...]}`. */
  onUnsolicitedReply(fn: (reply: { id: unknown; result: unknown; error: unknown }) => void): void {
    this.unsolicitedHandler = fn;
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  get isOpen(): boolean {
    return this.closedReason === null;
  }

  /**
   * Sends a request and resolves with its result; rejects with StratumReplyError or a connection error. `extra`
   * adds top-level fields some dialects carry (`"jsonrpc": "2.0"`, eth-proxy's `"worker"`).
   */
  request(method: string, params: unknown[], timeoutMs = 30_000, extra: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedReason !== null) return Promise.reject(new Error(`${method}: ${this.closedReason}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      this.send({ id, ...extra, method, params });
    });
  }

  /** Answers a request the pool made. */
  reply(id: number | string, result: unknown, error: [number, string, null] | null = null): void {
    this.send({ id, result: error ? null : result, error });
  }

  close(reason = 'closed by the miner'): void {
    this.shutdown(reason);
    this.socket.destroy();
  }

  private send(message: object): void {
    if (this.closedReason === null) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  private onData(text: string): void {
    this.buffer += text;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line !== '') this.onLine(line);
      if (this.closedReason !== null) return;
    }
    if (this.buffer.length > MAX_LINE_BYTES) {
      this.close(`pool sent ${this.buffer.length} bytes without a newline; not Stratum`);
    }
  }

  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.protocolErrorHandler(`pool sent a line that is not JSON: ${line.slice(0, 100)}`);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.protocolErrorHandler(`pool sent JSON that is not an object: ${line.slice(0, 100)}`);
      return;
    }
    const { id, method, params, result, error } = message as Record<string, unknown>;
    if (typeof method === 'string') {
      const msgId = typeof id === 'number' || typeof id === 'string' ? id : null;
      this.messageHandler({ id: msgId, method, params: Array.isArray(params) ? params : [] });
      return;
    }
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!pending && this.unsolicitedHandler !== null) {
      this.unsolicitedHandler({ id, result, error });
      return;
    }
    if (!pending) {
      this.protocolErrorHandler(`pool answered an unknown request id ${JSON.stringify(id)}`);
      return;
    }
    this.pending.delete(id as number);
    clearTimeout(pending.timer);
    if (error !== null && error !== undefined) pending.reject(toReplyError(pending.method, error));
    else pending.resolve(result);
  }

  private shutdown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const [, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`${pending.method}: ${reason}`));
    }
    this.pending.clear();
    this.closeHandler(reason);
  }
}

function toReplyError(method: string, error: unknown): StratumReplyError {
  if (Array.isArray(error)) {
    const [code, message] = error as unknown[];
    return new StratumReplyError(method, typeof code === 'number' ? code : null, String(message ?? JSON.stringify(error)));
  }
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return new StratumReplyError(method, typeof code === 'number' ? code : null, String(message ?? JSON.stringify(error)));
  }
  return new StratumReplyError(method, null, String(error));
}
