/**
 * The seam between a connection (bytes, framing, limits: connection.ts) and a wire dialect (what the messages
 * mean: SV1 today, Ethash's EthereumStratum/eth-proxy later). A dialect sees parsed requests and writes lines.
 */
import type { SessionLog } from '../session-log.js';
import type { RpcRequest, RequestId } from '../jsonrpc.js';
import type { StratumAlgorithm, StratumSessionSummary } from '../types.js';

/** What a dialect session may do to its connection. */
export interface SessionIO {
  readonly sessionId: string;
  readonly remote: string;
  /** Writes one line (the newline is added); never blocks — a client that cannot keep up is dropped. */
  send(line: string): void;
  /** Writes bytes already encoded, newline included (a broadcast shared by many sessions); optional for test doubles. */
  sendBytes?(bytes: Buffer): void;
  /** Stops reading, flushes what was written, closes; `delayMs` lets a `client.reconnect` take effect first. */
  close(reason: string, delayMs?: number): void;
  /** The miner finished its handshake (subscribed and authorized): the handshake timeout no longer applies. */
  handshakeDone(): void;
  /**
   * The session refused a request as junk (unknown method, malformed params, a request it cannot honour): the
   * connection logs it (sampled) and disconnects a peer that keeps sending junk. Share verdicts are not junk.
   * Optional so that test doubles of SessionIO need not implement it.
   */
  reportJunk?(reason: string): void;
}

export interface DialectSession {
  readonly algorithm: StratumAlgorithm;
  /**
   * Judges and answers one request. The connection hands over the next request of this connection only after
   * the returned promise settled (or at once when nothing is returned), so replies leave in request order. A
   * promise should settle as soon as the reply is written: work that need not hold the miner's next request
   * (a block's submission to the node) continues in the background.
   */
  handleRequest(req: RpcRequest): void | Promise<void>;
  /** A reply from the miner to something the server asked (e.g. `client.get_version`). */
  handleResponse(id: RequestId, result: unknown, error: unknown): void;
  /** Periodic housekeeping (vardiff idle checks); `now` in milliseconds. */
  tick(now: number): void;
  /** The connection is gone: release what the session holds (extranonce1, ...). Called exactly once. */
  closed(): void;
  summary(base: { id: string; remote: string; connectedSince: Date }): StratumSessionSummary;
}

/**
 * Makes the session for a new connection; `first` is its first request (it picks among one algorithm's dialects).
 * `log` binds the connection's fields at log time; `log.child()` gives a pino logger for a dialect that keeps one.
 */
export type DialectFactory = (io: SessionIO, log: SessionLog, first: RpcRequest) => DialectSession;
