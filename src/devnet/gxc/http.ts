/**
 * The node's HTTP front, reproduced on a raw TCP socket because its quirks are below what an HTTP library shows:
 * it reads the request ONCE into an 8192-byte buffer (8191 bytes + NUL), so request line + headers + body
 * beyond 8191 bytes are cut and the JSON fails to parse; the text stops at a NUL byte; any path works for POST;
 * GET /, /health, /ping answer a health object; every reply carries `Connection: close`.
 * Unlike the node, the devnet waits for the whole request before cutting it (the node's single recv() may see
 * less when a client splits headers and body across writes; that timing cannot be reproduced reliably).
 */
import net from 'node:net';
import type { Logger } from '../../log/logger.js';

export const NODE_RECV_BYTES = 8191;
const MAX_BUFFERED = 1 << 20;
const IDLE_MS = 2_000;

export interface NodeHttpHandlers {
  /** POST body (already cut like the node cuts it) → JSON-RPC reply text. */
  rpc(body: Buffer): string | Promise<string>;
  /** GET health object text. */
  health(): string;
}

function reply(status: string, body: string, extra: string[] = []): string {
  const head = [`HTTP/1.1 ${status}`];
  if (body !== '' || status.startsWith('200')) head.push('Content-Type: application/json');
  head.push(`Content-Length: ${Buffer.byteLength(body, 'utf8')}`, ...extra, 'Connection: close');
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** Whether `buf` holds a complete request (headers + Content-Length bytes of body). */
function complete(buf: Buffer): boolean {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('latin1'));
  return buf.length - (end + 4) >= (m ? Number(m[1]) : 0);
}

export async function handleRawRequest(raw: Buffer, handlers: NodeHttpHandlers): Promise<string> {
  let seen = raw.subarray(0, NODE_RECV_BYTES);
  const nul = seen.indexOf(0);
  if (nul >= 0) seen = seen.subarray(0, nul);
  const text = seen.toString('latin1');
  const [method = '', path = ''] = text.trimStart().split(/\s+/, 2);
  if (method === 'GET') {
    if (path === '/' || path === '/health' || path === '/ping') return reply('200 OK', handlers.health(), ['Access-Control-Allow-Origin: *']);
    return reply('404 Not Found', '{"error":"Not found"}');
  }
  if (method === 'POST') {
    const start = seen.indexOf('\r\n\r\n');
    const body = start >= 0 ? seen.subarray(start + 4) : Buffer.alloc(0);
    return reply('200 OK', await handlers.rpc(body), ['Access-Control-Allow-Origin: *']);
  }
  if (method === 'OPTIONS') {
    return reply('200 OK', '', [
      'Access-Control-Allow-Origin: *',
      'Access-Control-Allow-Methods: GET, POST, OPTIONS',
      'Access-Control-Allow-Headers: Content-Type',
    ]);
  }
  return reply('405 Method Not Allowed', '{"error":"Method not allowed"}');
}

export function startNodeHttpServer(opts: { host: string; port: number; handlers: NodeHttpHandlers; logger: Logger }): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      handleRawRequest(Buffer.concat(chunks), opts.handlers)
        .catch((err: unknown) => {
          opts.logger.error({ err }, 'GXC devnet: request handler failed');
          return reply('500 Internal Server Error', '{"error":"internal"}');
        })
        .then((answer) => {
          if (!socket.destroyed) socket.end(answer);
        });
    };
    let timer = setTimeout(finish, IDLE_MS);
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      clearTimeout(timer);
      timer = setTimeout(finish, IDLE_MS);
      if (size >= MAX_BUFFERED || complete(Buffer.concat(chunks))) finish();
    });
    socket.on('end', finish);
    socket.on('error', () => {
      done = true;
      clearTimeout(timer);
      socket.destroy();
    });
  });
  // Closing drops idle connections at once instead of waiting for their read timeout.
  const close = server.close.bind(server);
  server.close = (cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
