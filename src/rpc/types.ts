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
  ) {
    super(`${method}: ${reason}`);
    this.name = 'RpcTransportError';
  }
}

export interface RpcCallOptions {
  /** Per-call timeout in ms (default from the client). */
  timeoutMs?: number;
  /** Retries on transport errors (never on RpcError); default from the client. */
  retries?: number;
}

export interface RpcClient {
  /** Calls `method`; resolves with `result`, rejects with RpcError or RpcTransportError. */
  call<T = unknown>(method: string, params?: unknown[], opts?: RpcCallOptions): Promise<T>;
  /**
   * Tries each method name in order, moving to the next only when the node answers "method not found"
   * (never to hide a real error). Remembers which name worked.
   */
  callFirst<T = unknown>(methods: readonly string[], params?: unknown[], opts?: RpcCallOptions): Promise<T>;
  /** Redacted URL for logs (no password). */
  readonly displayUrl: string;
  close(): void;
}
