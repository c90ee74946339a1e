import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { createAgent, headerBlockBytes, HttpFailure, postOnce, type PostTarget } from './http-post.js';
import { toJsonText } from './json-text.js';
import { interpretReply } from './reply.js';
import { RpcError, RpcRequestTooLargeError, RpcTransportError, type RpcCallOptions, type RpcClient } from './types.js';

export interface RpcClientOptions {
  /** http(s)://[user:password@]host[:port][/path]; user and password are percent-decoded for basic auth. */
  url: string;
  /** '1.0' for Bitcoin Core (its default dialect), '2.0' for the GXC node (which refuses requests without it). */
  jsonrpc?: '1.0' | '2.0';
  /** Per-call timeout covering connect, request and the whole reply. Default 30 s. */
  timeoutMs?: number;
  /** Retries after transport errors (never after a node error). Default 2. */
  retries?: number;
  /** Refuse requests (request line + headers + body) above this many bytes before sending. 8000 for GXC. */
  maxRequestBytes?: number;
  /** Replies above this size are dropped with an error. Default 128 MiB (a verbose getblock can be tens of MB). */
  maxResponseBytes?: number;
  /** First backoff delay; doubles per retry (with jitter), capped at 5 s. Default 250 ms. */
  retryDelayMs?: number;
  logger?: Logger;
}

/** RpcClient with the optional members that this implementation always provides. */
export type HttpRpcClient = RpcClient & Required<Pick<RpcClient, 'callRaw'>>;

const MAX_RETRY_DELAY_MS = 5_000;

export function createRpcClient(opts: RpcClientOptions): HttpRpcClient {
  const target = parseTarget(opts.url);
  const displayUrl = redactUrl(opts.url);
  const dialect = opts.jsonrpc ?? '1.0';
  const defaultTimeoutMs = opts.timeoutMs ?? 30_000;
  const defaultRetries = opts.retries ?? 2;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const maxResponseBytes = opts.maxResponseBytes ?? 128 * 1024 * 1024;
  const logger = opts.logger ?? silentLogger;
  // Which name of a callFirst list the node answered to, keyed by the whole list.
  const workingName = new Map<string, string>();
  let nextId = 1;
  let closed = false;

  async function send(method: string, paramsJson: string, callOpts: RpcCallOptions = {}): Promise<unknown> {
    if (closed) throw new RpcTransportError(method, 'client is closed');
    const id = nextId++;
    const body = `{"jsonrpc":"${dialect}","id":${id},"method":${JSON.stringify(method)},"params":${paramsJson}}`;
    const bodyBytes = Buffer.byteLength(body, 'utf8');
    const requestBytes = headerBlockBytes(target, bodyBytes) + bodyBytes;
    if (opts.maxRequestBytes !== undefined && requestBytes > opts.maxRequestBytes) {
      throw new RpcRequestTooLargeError(method, requestBytes, opts.maxRequestBytes);
    }
    const timeoutMs = callOpts.timeoutMs ?? defaultTimeoutMs;
    const retries = callOpts.retries ?? defaultRetries;
    let attempt = 0;
    let staleRetried = false;
    for (;;) {
      let failure: RpcTransportError;
      let retryable: boolean;
      try {
        const reply = await postOnce(target, body, timeoutMs, maxResponseBytes);
        const outcome = interpretReply(method, id, reply, target.authorization !== undefined);
        if (outcome.kind === 'result') return outcome.result;
        if (outcome.kind === 'rpcError') throw outcome.error;
        failure = outcome.error;
        retryable = outcome.retryable;
      } catch (err) {
        if (!(err instanceof HttpFailure)) throw err;
        // A pooled socket the node had already closed: the request never reached it, so resend at once.
        if (err.staleKeepAlive && !staleRetried) {
          staleRetried = true;
          logger.debug({ method, url: displayUrl }, 'rpc: pooled connection was closed by the node; resending');
          continue;
        }
        failure = new RpcTransportError(method, err.message, { errorCode: err.errorCode });
        retryable = err.retryable;
      }
      if (!retryable || attempt >= retries || closed) {
        if (attempt > 0) logger.warn({ method, url: displayUrl, attempts: attempt + 1 }, 'rpc: giving up');
        throw failure;
      }
      const delay = backoffDelay(retryDelayMs, attempt);
      attempt++;
      logger.warn(
        { method, url: displayUrl, attempt, retries, delayMs: Math.round(delay), reason: failure.reason },
        'rpc: transport error, retrying',
      );
      await sleep(delay);
    }
  }

  const client: HttpRpcClient = {
    displayUrl,
    call<T>(method: string, params: unknown[] = [], callOpts?: RpcCallOptions): Promise<T> {
      let paramsJson: string;
      try {
        paramsJson = toJsonText(params);
      } catch (err) {
        return Promise.reject(new TypeError(`${method}: cannot serialize params: ${(err as Error).message}`));
      }
      return send(method, paramsJson, callOpts) as Promise<T>;
    },
    callRaw<T>(method: string, paramsJson: string, callOpts?: RpcCallOptions): Promise<T> {
      const problem = checkParamsJson(paramsJson);
      if (problem) return Promise.reject(new TypeError(`${method}: paramsJson ${problem}`));
      return send(method, paramsJson.trim(), callOpts) as Promise<T>;
    },
    async callFirst<T>(methods: readonly string[], params: unknown[] = [], callOpts?: RpcCallOptions): Promise<T> {
      if (methods.length === 0) throw new TypeError('callFirst needs at least one method name');
      const key = methods.join('\u0000');
      const known = workingName.get(key);
      // Try the remembered name first, then the others in order (a node upgrade may remove an alias).
      const order = known ? [known, ...methods.filter((m) => m !== known)] : [...methods];
      let lastNotFound: RpcError | undefined;
      for (const method of order) {
        try {
          const result = await client.call<T>(method, params, callOpts);
          if (known !== method) {
            workingName.set(key, method);
            logger.debug({ methods, method }, 'rpc: method name resolved');
          }
          return result;
        } catch (err) {
          // Only -32601 means "this node calls it something else" (JSON-RPC 2.0; Bitcoin Core and the GXC node use
          // it too, with HTTP 404 / 200). -32600 "Invalid Request" is about the request itself (the GXC node sends
          // it for a missing "jsonrpc" field), so retrying under another name would hide a real error.
          if (err instanceof RpcError && err.isMethodNotFound) {
            lastNotFound = err;
            continue;
          }
          throw err;
        }
      }
      workingName.delete(key);
      throw new RpcError(
        methods.join(' | '),
        -32601,
        `method not found under any of its names (${methods.join(', ')}); last answer: ${lastNotFound?.rpcMessage ?? ''}`,
      );
    },
    close(): void {
      closed = true;
      target.agent.destroy();
    },
  };
  return client;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many callers spread out. */
function backoffDelay(baseMs: number, attempt: number): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkParamsJson(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `is not valid JSON: ${(err as Error).message}`;
  }
  return Array.isArray(parsed) ? undefined : 'must be a JSON array';
}

function parseTarget(rawUrl: string): PostTarget {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Error(`RPC url is not a valid URL: ${redactUrl(rawUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`RPC url must start with http:// or https://, got ${url.protocol}//`);
  }
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  // URL keeps IPv6 literals bracketed; the socket layer wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }
  return {
    secure,
    host,
    port,
    path: `${url.pathname || '/'}${url.search}`,
    hostHeader: url.host,
    authorization,
    agent: createAgent(secure),
  };
}

/** The URL with its password replaced, for logs and the dashboard. */
export function redactUrl(rawUrl: string): string {
  try {
    const url = new URL(rawUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: hide anything between "//" and "@" that could hold credentials.
    return rawUrl.replace(/\/\/[^/@]*@/, '//***@');
  }
}
