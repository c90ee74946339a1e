/**
 * A JSON-RPC 1.0/2.0 server over node:http that behaves like Bitcoin Core's HTTP RPC: POST only, optional basic
 * auth (401 with an empty body), HTTP 200 for results; for legacy (1.0) requests HTTP 500 for errors, 404 for
 * "Method not found", 400 for "Invalid Request"; JSON-RPC 2.0 errors come with HTTP 200. Batches, notifications
 * (2.0 without id → 204), a body size limit, and garbage never takes the server down.
 *
 * It knows nothing of any chain: a dialect supplies the method table (the GXC devnet can reuse it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import { JsonNumber, parseJson, stringifyJson, type RpcJson, type RpcJsonObject } from './json.js';

export class RpcMethodError extends Error {
  constructor(
    readonly code: number,
    readonly rpcMessage: string,
  ) {
    super(rpcMessage);
    this.name = 'RpcMethodError';
  }
}

export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_PARSE_ERROR = -32700;
export const RPC_MISC_ERROR = -1;

export interface RpcCallContext {
  /** Aborted when the client goes away or the server stops (long polls end early). */
  signal: AbortSignal;
}

export interface RpcMethod {
  /** Parameter names, for named (object) params; extra positional params are refused with the help text. */
  args: readonly string[];
  /** First line of the help text (Core answers missing/extra params with its help text, code -1). */
  help: string;
  /** Number of required leading params. */
  required: number;
  handler(params: Array<RpcJson | undefined>, ctx: RpcCallContext): RpcJson | undefined | Promise<RpcJson | undefined>;
}

export interface JsonRpcServerOptions {
  host?: string;
  port?: number;
  methods: ReadonlyMap<string, RpcMethod>;
  rpcUser?: string;
  rpcPassword?: string;
  /** Largest request body accepted (default 32 MiB: a 4 MB block is 8 MB of hex). */
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface JsonRpcServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string | null;
}

export async function startJsonRpcServer(opts: JsonRpcServerOptions): Promise<JsonRpcServer> {
  const log = opts.logger ?? silentLogger;
  const maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const stopping = new AbortController();
  const expectedAuth =
    opts.rpcUser !== undefined || opts.rpcPassword !== undefined
      ? Buffer.from('Basic ' + Buffer.from(`${opts.rpcUser ?? ''}:${opts.rpcPassword ?? ''}`).toString('base64'))
      : null;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'devnet rpc: unexpected failure while answering');
      if (!res.headersSent) send(res, { status: 500, body: stringifyJson(errorObject(null, -32603, 'Internal error', false)) });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (expectedAuth) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expectedAuth.length || !timingSafeEqual(got, expectedAuth)) {
        req.resume();
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Length': '0' });
        res.end();
        return;
      }
    }
    if (req.method !== 'POST') {
      req.resume();
      send(res, { status: 405, body: 'JSONRPC server handles only POST requests' }, 'text/html');
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === null) {
      const reply = { status: 413, body: stringifyJson(errorObject(null, RPC_INVALID_REQUEST, 'Request body too large', false)) };
      res.setHeader('Connection', 'close');
      send(res, reply); // Connection: close makes node drop the socket and the unread rest of the body
      return;
    }
    const abort = new AbortController();
    const onStop = (): void => abort.abort();
    stopping.signal.addEventListener('abort', onStop);
    res.on('close', () => abort.abort());
    try {
      send(res, await answer(body, abort.signal));
    } finally {
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  async function answer(body: string, signal: AbortSignal): Promise<Reply> {
    let parsed: RpcJson;
    try {
      parsed = parseJson(body);
    } catch {
      return { status: 500, body: stringifyJson(errorObject(null, RPC_PARSE_ERROR, 'Parse error', false)) };
    }
    if (Array.isArray(parsed)) {
      const replies: RpcJson[] = [];
      for (const item of parsed) {
        const r = await callOne(item, signal);
        if (r.reply !== null) replies.push(r.reply);
      }
      return { status: 200, body: stringifyJson(replies) };
    }
    if (parsed === null || typeof parsed !== 'object' || !isObject(parsed)) {
      return { status: 500, body: stringifyJson(errorObject(null, RPC_PARSE_ERROR, 'Top-level object parse error', false)) };
    }
    const r = await callOne(parsed, signal);
    if (r.reply === null) return { status: 204, body: null };
    return { status: r.status, body: stringifyJson(r.reply) };
  }

  /** One request object → its reply (null for a 2.0 notification) and the HTTP status a single request gets. */
  async function callOne(req: RpcJson, signal: AbortSignal): Promise<{ reply: RpcJson | null; status: number }> {
    if (!isObject(req)) return fail(null, RPC_INVALID_REQUEST, 'Invalid Request object', false);
    const v2 = req.jsonrpc === '2.0';
    const id = req.id === undefined ? null : req.id;
    const notification = v2 && req.id === undefined;
    if (typeof req.method !== 'string') {
      return fail(id, RPC_INVALID_REQUEST, req.method === undefined ? 'Missing method' : 'Method must be a string', v2);
    }
    const params = req.params === undefined || req.params === null ? [] : req.params;
    if (!Array.isArray(params) && !isObject(params)) {
      return fail(id, RPC_INVALID_REQUEST, 'Params must be an array or object', v2);
    }
    const method = opts.methods.get(req.method);
    if (!method) return fail(id, RPC_METHOD_NOT_FOUND, 'Method not found', v2);
    try {
      const positional = Array.isArray(params) ? params : namedToPositional(params, method);
      const missing = Array.from({ length: method.required }, (_, i) => positional[i]).some((p) => p === undefined);
      if (positional.length > method.args.length || missing) throw new RpcMethodError(RPC_MISC_ERROR, method.help);
      const result = await method.handler(positional, { signal });
      if (notification) return { reply: null, status: 204 };
      const reply: RpcJsonObject = v2 ? { jsonrpc: '2.0', result: result ?? null, id } : { result: result ?? null, error: null, id };
      return { reply, status: 200 };
    } catch (err) {
      if (err instanceof RpcMethodError) return fail(id, err.code, err.rpcMessage, v2, notification);
      log.warn({ err, method: req.method }, 'devnet rpc: method failed');
      return fail(id, RPC_MISC_ERROR, err instanceof Error ? err.message : String(err), v2, notification);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function fail(id: RpcJson, code: number, message: string, v2: boolean, notification = false): { reply: RpcJson | null; status: number } {
  if (notification) return { reply: null, status: 204 };
  const status = v2 ? 200 : code === RPC_METHOD_NOT_FOUND ? 404 : code === RPC_INVALID_REQUEST ? 400 : 500;
  return { reply: errorObject(id, code, message, v2), status };
}

function errorObject(id: RpcJson, code: number, message: string, v2: boolean): RpcJsonObject {
  const error = { code, message };
  return v2 ? { jsonrpc: '2.0', error, id } : { result: null, error, id };
}

function isObject(v: RpcJson | undefined): v is RpcJsonObject {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function namedToPositional(params: RpcJsonObject, method: RpcMethod): Array<RpcJson | undefined> {
  const out: Array<RpcJson | undefined> = [];
  for (const key of Object.keys(params)) {
    const i = method.args.indexOf(key);
    if (i < 0) throw new RpcMethodError(-8, `Unknown named parameter ${key}`);
    out[i] = params[key];
  }
  return Array.from({ length: out.length }, (_, i) => out[i]);
}

function send(res: ServerResponse, reply: Reply, contentType = 'application/json'): void {
  if (reply.body === null) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const body = reply.body + (contentType === 'application/json' ? '\n' : '');
  res.writeHead(reply.status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads the body as UTF-8, or null when it is larger than `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        over = true;
        chunks.length = 0;
        resolve(null);
      }
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
    req.on('aborted', () => resolve(null));
  });
}
