/**
 * Stratum's JSON-RPC 1.0 dialect on the wire. Every reply carries both `result` and `error`: success replies have
 * `"error": null` and error replies `"result": null` (NiceHash and several firmwares reconnect in a loop
 * otherwise). Errors are `[code, message, null]`.
 */
import type { StratumErrorCode } from './types.js';

/** A request id as miners send it: number, string or null (JSON-RPC notifications). */
export type RequestId = number | string | null;

export interface RpcRequest {
  id: RequestId;
  method: string;
  /** Always an array here; a missing `params` reads as []. */
  params: unknown[];
  /** `"2.0"` when the miner sent JSON-RPC 2.0's marker (ethminer's plain stratum mode does; SV1 miners do not). */
  jsonrpc?: string;
  /** eth-proxy's top-level `worker` field (Claymore, PhoenixMiner, ethminer send the worker name there). */
  worker?: string;
}

export type ParsedMessage =
  | { kind: 'request'; request: RpcRequest }
  /** A reply from the miner to a server-sent request (e.g. `client.get_version`); `id` says which. */
  | { kind: 'response'; id: RequestId; result: unknown; error: unknown }
  | { kind: 'invalid'; id: RequestId; message: string };

/** Parses one framed line. Never throws: broken input becomes an `invalid` message with a precise reason. */
export function parseMessage(line: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { kind: 'invalid', id: null, message: `Parse error: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', id: null, message: 'Invalid request: expected a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  const id = toRequestId(obj.id);
  if (obj.method === undefined) {
    if ('result' in obj || 'error' in obj) return { kind: 'response', id, result: obj.result, error: obj.error };
    return { kind: 'invalid', id, message: "Invalid request: missing 'method'" };
  }
  if (typeof obj.method !== 'string' || obj.method.length === 0) {
    return { kind: 'invalid', id, message: "Invalid request: 'method' must be a non-empty string" };
  }
  if (obj.method.length > 128) return { kind: 'invalid', id, message: "Invalid request: 'method' is too long" };
  let params: unknown[];
  if (obj.params === undefined || obj.params === null) params = [];
  else if (Array.isArray(obj.params)) params = obj.params;
  else return { kind: 'invalid', id, message: "Invalid request: 'params' must be an array" };
  const request: RpcRequest = { id, method: obj.method, params };
  if (typeof obj.jsonrpc === 'string') request.jsonrpc = obj.jsonrpc.slice(0, 8);
  if (typeof obj.worker === 'string') request.worker = obj.worker.slice(0, 256);
  return { kind: 'request', request };
}

function toRequestId(raw: unknown): RequestId {
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  // Long string ids are cut so a hostile id cannot inflate every reply.
  if (typeof raw === 'string') return raw.slice(0, 64);
  return null;
}

/**
 * The id as JSON: a number or null is written as is, a string through JSON.stringify. Replies are built by
 * concatenation (one per share) with exactly the bytes JSON.stringify gives for `{ id, result, error }`.
 */
function idJson(id: RequestId): string {
  return typeof id === 'string' ? JSON.stringify(id) : String(id);
}

export function successReply(id: RequestId, result: unknown): string {
  // The per-share answer: no object or array built for it.
  if (result === true) return `{"id":${idJson(id)},"result":true,"error":null}`;
  return JSON.stringify({ id, result, error: null });
}

export function errorReply(id: RequestId, code: StratumErrorCode, message: string): string {
  return `{"id":${idJson(id)},"result":null,"error":[${code},${JSON.stringify(message)},null]}`;
}

/** A server-to-client notification (`mining.notify`, `mining.set_difficulty`, ...): SV1 sends them with id null. */
export function notification(method: string, params: unknown[]): string {
  return JSON.stringify({ id: null, method, params });
}
