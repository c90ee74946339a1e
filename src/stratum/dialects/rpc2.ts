/**
 * JSON-RPC 2.0-style lines as eth-proxy miners (Claymore, PhoenixMiner, ethminer) and ethminer's plain stratum
 * mode expect them. Replies keep both `result` and `error` (`"error": null` on success, `"result": null` on
 * failure), which those miners accept and NiceHash-style checks require; errors are `{code, message}` objects
 * carrying the Stratum codes (21 stale, 22 duplicate, 23 low difficulty, 24 unauthorized) or JSON-RPC's own
 * (-32601 unknown method, -32602 bad params).
 */
import type { RequestId } from '../jsonrpc.js';

export const RpcCode = { MethodNotFound: -32601, InvalidParams: -32602 } as const;

export function rpc2Result(id: RequestId, result: unknown): string {
  return JSON.stringify({ id, jsonrpc: '2.0', result, error: null });
}

export function rpc2Error(id: RequestId, code: number, message: string): string {
  return JSON.stringify({ id, jsonrpc: '2.0', result: null, error: { code, message } });
}

/** eth-proxy's unsolicited work push: a "reply" with id 0 whose result is the getWork triple. */
export function rpc2Push(result: unknown): string {
  return JSON.stringify({ id: 0, jsonrpc: '2.0', result });
}

/** A notification (method + params) in JSON-RPC 2.0 form, with `"id": null` as Stratum miners read it. */
export function rpc2Notification(method: string, params: unknown[]): string {
  return JSON.stringify({ id: null, jsonrpc: '2.0', method, params });
}
