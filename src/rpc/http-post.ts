import http from 'node:http';
import https from 'node:https';

/** Where and how to POST: everything that stays the same between calls of one client. */
export interface PostTarget {
  secure: boolean;
  host: string;
  port: number;
  path: string;
  /** Value of the Host header (host[:port]). */
  hostHeader: string;
  /** Full `Authorization` header value, or undefined for none. */
  authorization?: string;
  agent: http.Agent;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** One failed HTTP exchange: the socket failed, timed out or the reply was cut. */
export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The socket came from the keep-alive pool and failed before any reply byte (the server closed it idle). */
    readonly staleKeepAlive: boolean,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

// Socket errors that say "try again later"; anything else (TLS certificate, bad host name) will not heal by retrying.
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

export function createAgent(secure: boolean): http.Agent {
  // keepAlive reuses sockets between calls; `timeout` makes the agent drop idle pooled sockets after 4 s, before
  // typical node-side idle limits, so a reused socket is rarely one the server already closed.
  const opts = { keepAlive: true, maxSockets: 8, timeout: 4_000 };
  return secure ? new https.Agent(opts) : new http.Agent(opts);
}

/**
 * The exact request headers, in order. Every header Node would add by itself (Host, Connection) is set here, so
 * `headerBlock` below is byte for byte what goes on the wire and the request size can be checked before sending.
 */
export function requestHeaders(target: PostTarget, bodyBytes: number): [string, string][] {
  const headers: [string, string][] = [
    ['Host', target.hostHeader],
    ['Content-Type', 'application/json'],
    ['Content-Length', String(bodyBytes)],
    ['Connection', 'keep-alive'],
  ];
  if (target.authorization) headers.push(['Authorization', target.authorization]);
  return headers;
}

/** Size in bytes of the request line + headers as Node writes them. */
export function headerBlockBytes(target: PostTarget, bodyBytes: number): number {
  let text = `POST ${target.path} HTTP/1.1\r\n`;
  for (const [name, value] of requestHeaders(target, bodyBytes)) text += `${name}: ${value}\r\n`;
  return Buffer.byteLength(text + '\r\n', 'latin1');
}

/**
 * POSTs `body` once. The body is passed to Node as a string while the headers are unsent, which makes Node
 * prepend the header text to it and issue a single socket write (the GXC node reads only one recv()).
 */
export function postOnce(target: PostTarget, body: string, timeoutMs: number, maxResponseBytes: number): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const bodyBytes = Buffer.byteLength(body, 'utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of requestHeaders(target, bodyBytes)) headers[name] = value;
    const request = (target.secure ? https : http).request({
      host: target.host,
      port: target.port,
      path: target.path,
      method: 'POST',
      agent: target.agent,
      headers,
      setHost: false,
    });
    let settled = false;
    let gotResponse = false;
    const fail = (failure: HttpFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(failure);
      request.destroy();
    };
    const timer = setTimeout(() => {
      fail(new HttpFailure(`no complete reply within ${timeoutMs} ms (timeout)`, true, false, 'ETIMEDOUT'));
    }, timeoutMs);

    request.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code;
      const stale = request.reusedSocket && !gotResponse && (code === 'ECONNRESET' || code === 'EPIPE');
      const retryable = code !== undefined && RETRYABLE_CODES.has(code);
      fail(new HttpFailure(describeSocketError(err, gotResponse), retryable, stale, code));
    });

    request.on('response', (response) => {
      gotResponse = true;
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxResponseBytes) {
          fail(new HttpFailure(`reply is larger than ${maxResponseBytes} bytes (maxResponseBytes); dropped`, false, false));
          return;
        }
        chunks.push(chunk);
      });
      response.on('aborted', () => {
        fail(new HttpFailure(`connection closed in the middle of the reply (after ${received} body bytes)`, true, false, 'ECONNRESET'));
      });
      response.on('error', (err: NodeJS.ErrnoException) => {
        fail(new HttpFailure(`reply cut off after ${received} body bytes: ${err.message}`, true, false, err.code));
      });
      response.on('end', () => {
        if (settled) return;
        if (!response.complete) {
          fail(new HttpFailure(`connection closed in the middle of the reply (after ${received} body bytes)`, true, false, 'ECONNRESET'));
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });

    request.end(body, 'utf8');
  });
}

function describeSocketError(err: NodeJS.ErrnoException, gotResponse: boolean): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the node running and listening on this port?)';
    case 'ECONNRESET':
      return gotResponse ? 'connection reset during the reply' : 'connection reset by the node before it replied';
    case 'ENOTFOUND':
      return `host not found (${err.message})`;
    default:
      return `${err.code ?? 'socket error'}: ${err.message}`;
  }
}
