/**
 * One TCP connection: bytes in (framing, junk accounting, handshake timeout, dialect detection on the first
 * request), messages handled strictly in order with flow control (request-queue.ts), and lines out
 * (non-blocking: a client whose unsent output passes the limit is dropped, never buffered without bound). What
 * messages mean is the dialect session's business.
 *
 * Rate: a miner that sends well-formed requests faster than the pool judges them is slowed (its socket is
 * paused while its backlog is over `maxQueuedRequests`), never disconnected for it. Junk — unparseable lines,
 * oversize lines, requests the session refuses (unknown methods, malformed params) — is counted: a few bad
 * lines, or refused requests past a token bucket, close the connection. Junk is logged once per connection at
 * info (then at debug) and through a process-wide sampler, so a flood cannot flood the log.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LogSampler } from '../log/sampler.js';
import { detectAlgorithm, refusalReason, refusalReply } from './dialects/detect.js';
import type { DialectFactory, DialectSession, SessionIO } from './dialects/types.js';
import { type Frame, LineFramer } from './framing.js';
import { errorReply, parseMessage, type RequestId, type RpcRequest } from './jsonrpc.js';
import { RequestQueue, type RequestQueueOptions } from './request-queue.js';
import type { SessionLog } from './session-log.js';
import type { Sv1Session } from './session.js';
import { StratumErrorCode, type StratumAlgorithm, type StratumJob, type StratumSessionSummary } from './types.js';

export interface ConnectionLimits {
  maxLineBytes: number;
  /** Unparseable lines (bad JSON, invalid UTF-8, not an object) tolerated; the last one closes the connection. */
  maxBadLines: number;
  /** Time allowed to become subscribed and authorized. */
  handshakeTimeoutMs: number;
  /** Before the handshake is done, a connection silent for this long is closed (a slot held by nobody). */
  idleTimeoutMs: number;
  /** Refused (junk) requests tolerated per second, after a burst of `requestBurst`; well-formed ones are not counted. */
  requestsPerSecond: number;
  requestBurst: number;
  maxWriteBufferBytes: number;
  /** Messages read but not yet handled; above this the socket is paused until half of them are handled. */
  maxQueuedRequests: number;
}

/** Shared by every connection of a server: nothing here is per connection (an idle session holds only a reference). */
export interface ConnectionDeps {
  limits: ConnectionLimits;
  /** Algorithms this port serves. */
  algorithms: readonly StratumAlgorithm[];
  /** Dialects that exist in this build; an algorithm without one is refused with a clear message. */
  dialects: Partial<Record<StratumAlgorithm, DialectFactory>>;
  now: () => number;
  onClosed: (conn: Connection) => void;
  /** The handshake completed: the connection no longer needs the server's deadline sweep. */
  onHandshakeDone?: (conn: Connection) => void;
  /** Shared by every connection of the server: bounds the lines junk can cause. */
  logSampler: LogSampler;
  /** Told of each abusive input (the ban policy counts them per address). */
  onAbuse?: (conn: Connection, kind: 'junk' | 'flood') => void;
}

/** How long a graceful close may take to flush before the socket is destroyed. */
const CLOSE_FLUSH_MS = 2000;

/**
 * Handshake and idle deadlines are wall-clock limits on real sockets (a test's fake `now` must not stretch them),
 * checked by the server's sweep (`checkDeadlines`) instead of two timers per connection.
 */
const monotonicMs = (): number => performance.now();

/**
 * The socket's listeners are shared functions, not closures per connection: the socket carries its connection
 * under this key.
 */
const OWNER = Symbol('stratum connection');
type OwnedSocket = Socket & { [OWNER]?: Connection };

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[OWNER]?.onData(chunk);
}
function onSocketError(this: OwnedSocket, err: Error): void {
  this[OWNER]?.log.debug({ err: err.message }, 'socket error');
}
function onSocketClose(this: OwnedSocket): void {
  this[OWNER]?.onSocketClosed();
}
function uncork(socket: Socket): void {
  socket.uncork();
}
function destroySocket(socket: Socket): void {
  socket.destroy();
}

export class Connection implements SessionIO, RequestQueueOptions<Frame> {
  /** Milliseconds since the epoch (a Date is made only for a summary). */
  private readonly connectedAt = Date.now();
  readonly remote: string;
  session: DialectSession | null = null;
  /** Created when someone waits for the close (drain); a settled one when the socket is already closed. */
  private closedWaiters: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;
  private socketClosed = false;
  private readonly framer: LineFramer;
  /** Refused requests allowed (a token bucket as two numbers): empty means the peer sends junk in a loop. */
  private junkTokens: number;
  private junkRefilledAt: number;
  private readonly queue: RequestQueue<Frame>;
  /** Id of the request being handled, for the error reply if its handling throws. */
  private handlingId: RequestId = null;
  private badLines = 0;
  private junkRequests = 0;
  /** The close was caused by junk: its log line goes through the sampler. */
  private junkClose = false;
  private closing = false;
  /** Shutdown: requests are no longer read; answers to those in flight still go out. */
  private readingStopped = false;
  /** Before the handshake: when the connection is closed for not finishing it (0 once done). */
  private handshakeDeadline: number;
  /** Before the handshake: when a silent connection is closed (0 once the handshake is done). */
  private idleDeadline: number;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    readonly sessionId: string,
    readonly remoteAddress: string,
    readonly log: SessionLog,
    private readonly deps: ConnectionDeps,
  ) {
    this.remote = log.remote;
    this.framer = new LineFramer(deps.limits.maxLineBytes);
    this.junkTokens = deps.limits.requestBurst;
    this.junkRefilledAt = deps.now();
    this.queue = new RequestQueue<Frame>(this);
    const t = monotonicMs();
    this.handshakeDeadline = t + deps.limits.handshakeTimeoutMs;
    this.idleDeadline = t + deps.limits.idleTimeoutMs;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    (socket as OwnedSocket)[OWNER] = this;
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.once('close', onSocketClose);
    this.log.debug('connected');
  }

  /** Resolves once the socket is closed. */
  get closedPromise(): Promise<void> {
    if (this.closedWaiters === null) {
      this.closedWaiters = this.socketClosed
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.resolveClosed = resolve;
          });
    }
    return this.closedWaiters;
  }

  get connectedSince(): Date {
    return new Date(this.connectedAt);
  }

  send(line: string): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(`${line}\n`);
    this.checkWriteBuffer();
  }

  /** Writes bytes already encoded and terminated (a broadcast's notify, shared by every session). */
  sendBytes(bytes: Buffer): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(bytes);
    this.checkWriteBuffer();
  }

  private checkWriteBuffer(): void {
    // write() never blocks; unsent bytes pile up in user space if the peer does not read. Drop such a peer.
    if (this.socket.writableLength > this.deps.limits.maxWriteBufferBytes) {
      this.log.warn({ buffered: this.socket.writableLength }, 'disconnect: client does not read (write buffer full)');
      this.closing = true;
      this.socket.destroy();
    }
  }

  close(reason: string, delayMs = 0): void {
    if (this.closing) return;
    if (delayMs > 0) {
      if (this.closeTimer === null) {
        this.closeTimer = setTimeout(() => this.close(reason), delayMs);
        this.closeTimer.unref();
      }
      return;
    }
    this.closing = true;
    this.queue.stop();
    const fields = { reason, badLines: this.badLines, junkRequests: this.junkRequests };
    if (this.junkClose && !this.deps.logSampler.allow('junk disconnect')) this.log.debug(fields, 'disconnect');
    else this.log.info(fields, 'disconnect');
    this.socket.end();
    // Read (and drop, see onData) whatever still arrives, so the peer's FIN is seen and the socket closes.
    this.socket.resume();
    // A peer that never reads could hold the flush forever: destroy after a grace period.
    setTimeout(destroySocket, CLOSE_FLUSH_MS, this.socket).unref();
  }

  /** Graceful shutdown: stops reading requests; what is being answered is still written. */
  stopReading(): void {
    this.readingStopped = true;
    this.socket.pause();
  }

  /** The address and port this peer connected to (where a `client.reconnect` should send it back). */
  localEndpoint(): { address: string; port: number } {
    return { address: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 };
  }

  /** Immediate teardown (server shutdown). */
  destroy(): void {
    this.closing = true;
    this.queue.stop();
    this.socket.destroy();
  }

  handshakeDone(): void {
    if (this.handshakeDeadline === 0) return;
    this.handshakeDeadline = 0;
    this.idleDeadline = 0;
    this.deps.onHandshakeDone?.(this);
  }

  /** Called by the server's sweep before the handshake is done: closes a connection past one of its deadlines. */
  checkDeadlines(nowMs: number = monotonicMs()): void {
    if (this.closing || this.handshakeDeadline === 0) return;
    if (nowMs >= this.handshakeDeadline) this.closeForJunk('handshake timeout');
    else if (nowMs >= this.idleDeadline) this.close('idle before the handshake');
  }

  summary(): StratumSessionSummary {
    const base = { id: this.sessionId, remote: this.remote, connectedSince: this.connectedSince };
    if (this.session !== null) return this.session.summary(base);
    return {
      ...base,
      algorithm: null,
      worker: null,
      address: null,
      userAgent: null,
      subscribed: false,
      authorized: false,
      difficulty: 0,
      sharesAccepted: 0,
      sharesRejected: 0,
      difficultyAccepted: 0,
      lastShareAt: null,
    };
  }

  /** Bytes from the socket (its shared 'data' listener). */
  onData(chunk: Buffer): void {
    if (this.closing || this.readingStopped) return;
    // Any line restarts the idle clock before the handshake (a connection that says nothing is dropped).
    if (this.idleDeadline !== 0) this.idleDeadline = monotonicMs() + this.deps.limits.idleTimeoutMs;
    // Replies to the requests handled synchronously from this chunk leave in one write, not one syscall each.
    this.socket.cork();
    process.nextTick(uncork, this.socket);
    // Every message, junk included, takes its turn: an error reply never overtakes an earlier request's reply.
    for (const frame of this.framer.push(chunk)) this.queue.push(frame);
  }

  /** The request queue's handler: one frame, in order (RequestQueueOptions). */
  handle(frame: Frame): void | Promise<void> {
    if (this.closing) return;
    this.handlingId = null;
    if (frame.kind === 'too-long') {
      this.deps.onAbuse?.(this, 'junk');
      this.send(errorReply(null, StratumErrorCode.Other, `Line too long: more than ${this.deps.limits.maxLineBytes} bytes`));
      return this.closeForJunk(`line too long (${frame.bytes} bytes)`);
    }
    if (frame.kind === 'invalid-utf8') return this.badLine(null, 'Invalid request: line is not UTF-8 text');
    const msg = parseMessage(frame.text);
    if (msg.kind === 'invalid') return this.badLine(msg.id, msg.message);
    if (msg.kind === 'response') return this.session?.handleResponse(msg.id, msg.result, msg.error);
    this.handlingId = msg.request.id;
    return this.dispatch(msg.request);
  }

  /**
   * A throw while handling one message (a pool bug, a backend that throws) must not take the process down with
   * every other miner: answer this request with an internal error and drop this connection.
   */
  private internalError(id: RequestId, err: unknown): void {
    this.log.error({ err }, 'internal error while handling a message');
    this.send(errorReply(id, StratumErrorCode.Other, 'Internal pool error'));
    this.close('internal error');
  }

  /** The request queue's error path: a handler threw or its promise rejected (RequestQueueOptions). */
  onError(_frame: Frame, err: unknown): void {
    this.internalError(this.handlingId, err);
  }

  /** Flow control (RequestQueueOptions): TCP back-pressure slows a miner whose messages wait, instead of a disconnect. */
  onBacklog(overBound: boolean): void {
    if (this.closing) return;
    if (overBound) this.socket.pause();
    else this.socket.resume();
  }

  /** Messages read but not yet handled above which the socket is paused (RequestQueueOptions). */
  get pauseAbove(): number {
    return this.deps.limits.maxQueuedRequests;
  }

  private guarded(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.internalError(null, err);
    }
  }

  /** Server-initiated work for this session (a broadcast), isolated like message handling. */
  run(work: () => void): void {
    this.guarded(work);
  }

  /** A broadcast's job for this connection's SHA-256d session, isolated like message handling (no closure per session). */
  sendJob(session: Sv1Session, job: StratumJob, cleanJobs: boolean, encoded: Buffer): void {
    try {
      session.sendJob(job, cleanJobs, encoded);
    } catch (err) {
      this.internalError(null, err);
    }
  }

  /** Periodic work for the session, isolated like message handling. */
  tick(now: number): void {
    if (this.session === null || this.closing) return;
    try {
      this.session.tick(now);
    } catch (err) {
      this.internalError(null, err);
    }
  }

  private dispatch(req: RpcRequest): void | Promise<void> {
    if (this.session === null) {
      const algorithm = detectAlgorithm(req, this.deps.algorithms);
      const implemented = Object.keys(this.deps.dialects) as StratumAlgorithm[];
      const refusal = refusalReason(algorithm, this.deps.algorithms, implemented);
      const factory = this.deps.dialects[algorithm];
      if (refusal !== null || factory === undefined) {
        const message = refusal ?? `${algorithm} mining is not available on this pool`;
        this.send(refusalReply(req, message));
        return this.closeForJunk(`refused ${algorithm} miner: ${message}`);
      }
      this.session = factory(this, this.log, req);
    }
    return this.session.handleRequest(req);
  }

  private badLine(id: RequestId, message: string): void {
    this.badLines++;
    this.deps.onAbuse?.(this, 'junk');
    this.send(errorReply(id, StratumErrorCode.Other, message));
    if (this.badLines >= this.deps.limits.maxBadLines) return this.closeForJunk(`too many bad lines (last: ${message})`);
    this.logJunk('bad line', this.badLines, message);
  }

  reportJunk(reason: string): void {
    if (this.closing) return;
    this.junkRequests++;
    if (!this.takeJunkToken(this.deps.now())) {
      this.deps.onAbuse?.(this, 'flood');
      this.send(errorReply(null, StratumErrorCode.Other, 'Too many refused requests'));
      return this.closeForJunk(`junk flood: ${this.junkRequests} refused requests (last: ${reason})`);
    }
    this.logJunk('refused request', this.junkRequests, reason);
  }

  /** A token bucket refilled lazily from the clock: `requestBurst` at once, then `requestsPerSecond`. */
  private takeJunkToken(now: number): boolean {
    const { requestBurst, requestsPerSecond } = this.deps.limits;
    const elapsed = Math.max(0, now - this.junkRefilledAt) / 1000;
    this.junkRefilledAt = now;
    this.junkTokens = Math.min(requestBurst, this.junkTokens + elapsed * requestsPerSecond);
    if (this.junkTokens < 1) return false;
    this.junkTokens -= 1;
    return true;
  }

  /** The first junk of a connection at info (sampled process-wide), the rest at debug: counts go in the disconnect line. */
  private logJunk(event: string, count: number, reason: string): void {
    if (count === 1 && this.deps.logSampler.allow(event)) this.log.info({ reason }, event);
    else this.log.debug({ reason, count }, event);
  }

  private closeForJunk(reason: string): void {
    this.junkClose = true;
    this.close(reason);
  }

  /** The socket closed (its shared 'close' listener). */
  onSocketClosed(): void {
    this.closing = true;
    this.socketClosed = true;
    this.queue.stop();
    this.handshakeDeadline = 0;
    this.idleDeadline = 0;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.session?.closed();
    this.log.debug('closed');
    this.deps.onClosed(this);
    this.resolveClosed?.();
  }
}
