import type { HttpReply } from './http-post.js';
import { RpcError, RpcTransportError } from './types.js';

export type ReplyOutcome =
  | { kind: 'result'; result: unknown }
  | { kind: 'rpcError'; error: RpcError }
  | { kind: 'transport'; error: RpcTransportError; retryable: boolean };

/**
 * Turns an HTTP reply into a result, a node error or a transport error.
 * Bitcoin Core answers JSON-RPC 1.0 errors with HTTP 500 (404 for an unknown method) and a JSON body: the body
 * decides, not the status. The GXC node and JSON-RPC 2.0 answer errors with HTTP 200.
 */
export function interpretReply(method: string, id: number, reply: HttpReply, sentCredentials: boolean): ReplyOutcome {
  const { status, body } = reply;
  const details = { httpStatus: status };
  if (status === 401) {
    const hint = sentCredentials
      ? 'the node rejected the RPC user/password in the URL'
      : 'the node wants a user and password: put them in the URL as http://user:password@host:port';
    return transport(method, `authentication failed (HTTP 401): ${hint}`, details, false);
  }
  if (status === 403) {
    return transport(method, 'forbidden (HTTP 403): the node refuses this client (check rpcallowip)', details, false);
  }

  const parsed = parseJson(body);
  if (!isRpcReply(parsed)) {
    const what = body.trim() === '' ? 'an empty body' : `${parsed === undefined ? 'non-JSON' : 'a non-JSON-RPC'} body: ${preview(body)}`;
    // A 5xx without a JSON-RPC body is a proxy or a node in trouble: worth another try. Anything else is not.
    return transport(method, `HTTP ${status} with ${what}`, details, status >= 500);
  }
  if (parsed.id !== undefined && parsed.id !== null && parsed.id !== id) {
    return transport(method, `reply id ${JSON.stringify(parsed.id)} does not match request id ${id}`, details, false);
  }
  const error = parsed.error;
  if (error !== undefined && error !== null) return { kind: 'rpcError', error: toRpcError(method, error) };
  if (status >= 300) {
    return transport(method, `HTTP ${status} with a JSON-RPC reply that carries no error: ${preview(body)}`, details, status >= 500);
  }
  return { kind: 'result', result: parsed.result === undefined ? null : parsed.result };
}

function transport(method: string, reason: string, details: { httpStatus: number }, retryable: boolean): ReplyOutcome {
  return { kind: 'transport', error: new RpcTransportError(method, reason, details), retryable };
}

interface RpcReplyShape {
  id?: unknown;
  result?: unknown;
  error?: unknown;
}

function isRpcReply(value: unknown): value is RpcReplyShape {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('result' in value || 'error' in value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** JSON-RPC errors are {code, message, data?}; some servers send a bare string, kept as code 0. */
function toRpcError(method: string, error: unknown): RpcError {
  if (typeof error === 'object' && error !== null) {
    const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
    const text = typeof message === 'string' ? message : JSON.stringify(error);
    return new RpcError(method, typeof code === 'number' ? code : 0, text, data);
  }
  return new RpcError(method, 0, String(error));
}

/** The first 100 characters of a body, on one line, for error messages. */
export function preview(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 100 ? `${oneLine.slice(0, 100)}…` : oneLine);
}
