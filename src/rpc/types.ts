/** What chain adapters need from a JSON-RPC transport. Implemented by rpc/client.ts. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An error object returned by the node (JSON-RPC `error`), kept verbatim for logs and the dashboard. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method}: node error ${code}: ${rpcMessage}`);
    this.name = 'RpcError';
  }
  /** -32601 is JSON-RPC "method not found" (Bitcoin Core uses the same code). */
  get isMethodNotFound(): boolean {
    return this.code === -32601;
  }
}

/** The node could not be reached or answered something that is not JSON-RPC (HTTP error page, garbage, timeout). */
export class RpcTransportError extends Error {
  constructor(
    readonly method: string,
    readonly reason: string,
    /** What was seen on the wire, when known (HTTP status of the reply, socket error code such as ECONNREFUSED). */
    readonly details: { httpStatus?: number; errorCode?: string } = {},
  ) {
    super(`${method}: ${reason}`);
    this.name = 'RpcTransportError';
  }
}

/**
 * The request was refused before sending because it exceeds the client's `maxRequestBytes` (the GXC node reads
 * a single recv() of at most 8192 bytes, so a longer request arrives cut and fails). Callers that can shrink
 * the request (e.g. drop mempool transactions from a block) catch this and try again.
 */
export class RpcRequestTooLargeError extends RpcTransportError {
  constructor(
    method: string,
    readonly requestBytes: number,
    readonly maxRequestBytes: number,
  ) {
    super(method, `request is ${requestBytes} bytes (HTTP headers + body), over this node's limit of ${maxRequestBytes} bytes; not sent`);
    this.name = 'RpcRequestTooLargeError';
  }
}

export interface RpcCallOptions {
  /** Per-call timeout in ms (default from the client). */
  timeoutMs?: number;
  /**
   * Retries on transport errors (never on RpcError); default from the client. A timed-out or reset request may
   * still have run on the node: pass 0 for calls that must not run twice (sendtoaddress, sendmany).
   */
  retries?: number;
}

export interface RpcClient {
  /**
   * Calls `method`; resolves with `result`, rejects with RpcError or RpcTransportError.
   * A bigint anywhere in `params` is written as exact JSON digits.
   */
  call<T = unknown>(method: string, params?: unknown[], opts?: RpcCallOptions): Promise<T>;
  /**
   * Tries each method name in order, moving to the next only when the node answers "method not found"
   * (never to hide a real error). Remembers which name worked.
   */
  callFirst<T = unknown>(methods: readonly string[], params?: unknown[], opts?: RpcCallOptions): Promise<T>;
  /**
   * Calls `method` with `paramsJson`, a JSON array written by the caller and sent verbatim (e.g. to carry a
   * 64-bit integer as exact digits). Optional so test doubles need not implement it; createRpcClient does.
   */
  callRaw?<T = unknown>(method: string, paramsJson: string, opts?: RpcCallOptions): Promise<T>;
  /** Redacted URL for logs (no password). */
  readonly displayUrl: string;
  close(): void;
}
