/**
 * A loopback JSON-RPC server for adapter tests: each method answers with a recorded (or Core-shaped) reply,
 * and every request is kept for assertions. Unknown methods get Bitcoin Core's 404 / -32601 answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  http_status: number;
  response: unknown;
}
export type Handler = (params: unknown[]) => Reply | 'hang-up' | Promise<Reply | 'hang-up'>;

export interface ReplayNode {
  url: string;
  calls: Array<{ method: string; params: unknown[] }>;
  handlers: Map<string, Handler>;
  close(): Promise<void>;
}

export const ok = (result: unknown): Reply => ({ http_status: 200, response: { result, error: null, id: 0 } });
export const rpcError = (code: number, message: string, status = 500): Reply => ({
  http_status: status,
  response: { result: null, error: { code, message }, id: 0 },
});

export async function startReplayNode(handlers: Record<string, Handler> = {}): Promise<ReplayNode> {
  const map = new Map(Object.entries(handlers));
  const calls: ReplayNode['calls'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown; method: string; params?: unknown[] };
        const params = body.params ?? [];
        calls.push({ method: body.method, params });
        const handler = map.get(body.method);
        const reply = handler ? await handler(params) : rpcError(-32601, 'Method not found', 404);
        if (reply === 'hang-up') {
          req.socket.destroy();
          return;
        }
        // Recorded replies carry the recorder's request ids; answer with this request's id.
        const response = { ...(reply.response as Record<string, unknown>), id: body.id };
        res.writeHead(reply.http_status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://user:pass@127.0.0.1:${port}/`,
    calls,
    handlers: map,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
