import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { jsonrpc?: string; id?: number; method?: string; params?: unknown } | undefined;
  remotePort: number | undefined;
}

export type Handler = (req: SeenRequest, res: http.ServerResponse, index: number) => void;

/** An HTTP server on 127.0.0.1:0 that records every request and lets the test answer each one. */
export async function startHttpServer(handler: Handler): Promise<{
  url: string;
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: SeenRequest['json'];
      try {
        json = JSON.parse(body) as SeenRequest['json'];
      } catch {
        json = undefined;
      }
      const record = { headers: req.headers, body, json, remotePort: req.socket.remotePort };
      seen.push(record);
      handler(record, res, seen.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A raw TCP server standing in for the GXC node: it records each chunk exactly as recv() returned it, answers
 * after the first chunk (as the node does: it reads once) and closes (`Connection: close`).
 */
export async function startRawOneReadServer(reply: (firstChunk: Buffer) => string): Promise<{
  url: string;
  chunks: Buffer[][];
  close(): Promise<void>;
}> {
  const chunks: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const mine: Buffer[] = [];
    chunks.push(mine);
    socket.on('data', (chunk: Buffer) => {
      mine.push(chunk);
      if (mine.length === 1) {
        // Let any second chunk arrive before answering, so the test sees it if the client wrote twice.
        setTimeout(() => socket.end(reply(chunk)), 30);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    chunks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
