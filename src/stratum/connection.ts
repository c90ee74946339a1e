/**
 * One TCP connection: bytes in (framing, rate limit, bad-input accounting, handshake timeout, dialect detection
 * on the first request) and lines out (non-blocking: a client whose unsent output passes the limit is dropped,
 * never buffered without bound). What messages mean is the dialect session's business.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { detectAlgorithm, refusalReason, refusalReply } from './dialects/detect.js';
import type { DialectFactory, DialectSession, SessionIO } from './dialects/types.js';
import { LineFramer } from './framing.js';
import { errorReply, parseMessage, type RequestId } from './jsonrpc.js';
import { TokenBucket } from './limits.js';
import { StratumErrorCode, type StratumAlgorithm, type StratumSessionSummary } from './types.js';

export interface ConnectionLimits {
  maxLineBytes: number;
  /** Unparseable lines (bad JSON, invalid UTF-8, not an object) tolerated; the last one closes the connection. */
  maxBadLines: number;
  /** Time allowed to become subscribed and authorized. */
  handshakeTimeoutMs: number;
  /** Before the handshake is done, a connection silent for this long is closed (a slot held by nobody). */
  idleTimeoutMs: number;
  requestsPerSecond: number;
  requestBurst: number;
  maxWriteBufferBytes: number;
}

export interface ConnectionDeps {
  limits: ConnectionLimits;
  /** Algorithms this port serves. */
  algorithms: readonly StratumAlgorithm[];
  /** Dialects that exist in this build; an algorithm without one is refused with a clear message. */
  dialects: Partial<Record<StratumAlgorithm, DialectFactory>>;
  now: () => number;
  onClosed: (conn: Connection) => void;
  /** Told of each abusive input (the ban policy counts them per address). */
  onAbuse?: (kind: 'junk' | 'flood') => void;
}

/** How long a graceful close may take to flush before the socket is destroyed. */
const CLOSE_FLUSH_MS = 2000;

export class Connection implements SessionIO {
  readonly connectedSince = new Date();
  readonly remote: string;
  session: DialectSession | null = null;
  /** Resolves once the socket is closed. */
  readonly closedPromise: Promise<void>;
  private resolveClosed: () => void = () => undefined;
  private readonly framer: LineFramer;
  private readonly bucket: TokenBucket;
  private badLines = 0;
  private closing = false;
  /** Shutdown: requests are no longer read; answers to those in flight still go out. */
  private readingStopped = false;
  private handshakeTimer: NodeJS.Timeout | null;
  private idleTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    readonly sessionId: string,
    readonly remoteAddress: string,
    private readonly log: Logger,
    private readonly deps: ConnectionDeps,
  ) {
    this.remote = `${remoteAddress}:${socket.remotePort ?? 0}`;
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.framer = new LineFramer(deps.limits.maxLineBytes);
    this.bucket = new TokenBucket(deps.limits.requestBurst, deps.limits.requestsPerSecond, deps.now());
    this.handshakeTimer = setTimeout(() => this.close('handshake timeout'), deps.limits.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    this.restartIdleTimer();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.once('close', () => this.onSocketClosed());
    this.log.debug('connected');
  }

  send(line: string): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(`${line}\n`);
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
    this.log.info({ reason }, 'disconnect');
    this.socket.end();
    // A peer that never reads could hold the flush forever: destroy after a grace period.
    setTimeout(() => this.socket.destroy(), CLOSE_FLUSH_MS).unref();
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
    this.socket.destroy();
  }

  handshakeDone(): void {
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Any line before the handshake is done proves someone is there: the idle clock starts again. */
  private restartIdleTimer(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close('idle before the handshake'), this.deps.limits.idleTimeoutMs);
    this.idleTimer.unref();
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

  private onData(chunk: Buffer): void {
    if (this.closing || this.readingStopped) return;
    for (const frame of this.framer.push(chunk)) {
      if (this.closing) return;
      if (this.idleTimer !== null) this.restartIdleTimer();
      if (frame.kind === 'too-long') {
        this.deps.onAbuse?.('junk');
        this.send(errorReply(null, StratumErrorCode.Other, `Line too long: more than ${this.deps.limits.maxLineBytes} bytes`));
        return this.close(`line too long (${frame.bytes} bytes)`);
      }
      if (!this.bucket.take(this.deps.now())) {
        this.deps.onAbuse?.('flood');
        this.send(errorReply(null, StratumErrorCode.Other, 'Rate limit exceeded: too many requests'));
        return this.close('request flood');
      }
      if (frame.kind === 'invalid-utf8') {
        this.badLine(null, 'Invalid request: line is not UTF-8 text');
        continue;
      }
      const msg = parseMessage(frame.text);
      if (msg.kind === 'invalid') this.badLine(msg.id, msg.message);
      else
        this.guarded(msg.kind === 'request' ? msg.request.id : null, () => {
          if (msg.kind === 'response') this.session?.handleResponse(msg.id, msg.result, msg.error);
          else this.dispatch(msg.request);
        });
    }
  }

  /**
   * A throw while handling one message (a pool bug, a backend that throws synchronously) must not take the
   * process down with every other miner: answer this request with an internal error and drop this connection.
   */
  private guarded(id: RequestId, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.log.error({ err }, 'internal error while handling a message');
      this.send(errorReply(id, StratumErrorCode.Other, 'Internal pool error'));
      this.close('internal error');
    }
  }

  /** Server-initiated work for this session (a broadcast), isolated like message handling. */
  run(work: () => void): void {
    this.guarded(null, work);
  }

  /** Periodic work for the session, isolated like message handling. */
  tick(now: number): void {
    if (this.session === null || this.closing) return;
    const session = this.session;
    this.guarded(null, () => session.tick(now));
  }

  private dispatch(req: Parameters<DialectSession['handleRequest']>[0]): void {
    if (this.session === null) {
      const algorithm = detectAlgorithm(req);
      const implemented = Object.keys(this.deps.dialects) as StratumAlgorithm[];
      const refusal = refusalReason(algorithm, this.deps.algorithms, implemented);
      const factory = this.deps.dialects[algorithm];
      if (refusal !== null || factory === undefined) {
        const message = refusal ?? `${algorithm} mining is not available on this pool`;
        this.send(refusalReply(req, message));
        return this.close(`refused ${algorithm} miner: ${message}`);
      }
      this.session = factory(this, this.log);
    }
    this.session.handleRequest(req);
  }

  private badLine(id: RequestId, message: string): void {
    this.badLines++;
    this.deps.onAbuse?.('junk');
    this.send(errorReply(id, StratumErrorCode.Other, message));
    if (this.badLines >= this.deps.limits.maxBadLines) this.close(`too many bad lines (last: ${message})`);
    else this.log.info({ reason: message }, 'bad line');
  }

  private onSocketClosed(): void {
    this.closing = true;
    this.handshakeDone();
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.session?.closed();
    this.log.debug('closed');
    this.deps.onClosed(this);
    this.resolveClosed();
  }
}
