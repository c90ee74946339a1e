/**
 * A fault-injecting HTTP proxy for node tests: real TCP on loopback, put between the pool and a devnet. Every
 * request is handled by the mode in force when it arrives:
 *   pass      forwarded to the node, the node's reply returned as it is
 *   delay     forwarded after `ms` (a slow node)
 *   drop      the connection is destroyed, nothing answered (a node that is down or restarting)
 *   flap      drop and pass alternate every `everyMs` (a node, or a link, going up and down)
 *   garbage   random bytes written on the socket, not even HTTP, then closed
 *   html502   an HTML "502 Bad Gateway" page, as a reverse proxy in front of a dead node sends
 *   nonsense  the node's real reply with its `result` replaced by a wrong shape (a hash that is a number, a
 *             template whose height is a string, …): valid JSON-RPC, meaningless content (optionally for
 *             some methods only, so that a caller gets past its other calls to the one under test)
 *   hang      the request is read and held unanswered; when the mode leaves `hang` the held requests are
 *             forwarded and answered late, as a node that stalls and wakes up does
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'flap'; everyMs: number }
  | { kind: 'garbage' }
  | { kind: 'html502' }
  /** `only`: the JSON-RPC methods that get nonsense (the others pass); all when absent. */
  | { kind: 'nonsense'; only?: readonly string[] }
  | { kind: 'hang' };

/** One request as the proxy saw it: the JSON-RPC method (or '?') and what was done with it. */
export interface ProxiedRequest {
  method: string;
  handling: 'pass' | 'delay' | 'drop' | 'garbage' | 'html502' | 'nonsense' | 'hang';
  at: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  mode(): FaultMode;
  setMode(mode: FaultMode): void;
  /** Every request seen, in arrival order (bounded to the last 10,000). */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const MAX_BODY = 4 * 1024 * 1024;
/** Fields a template cannot do without, in either dialect: replacing one must make the template unusable. */
const REQUIRED_TEMPLATE_FIELDS = ['previousblockhash', 'height', 'transactions', 'difficulty', 'coinbasevalue', 'curtime', 'version'];
const WRONG_SCALARS: readonly unknown[] = [42, 'not-a-hash', {}, [], null, true, -1.5];

interface Held {
  req: http.IncomingMessage;
  body: Buffer;
  res: http.ServerResponse;
}

export async function startFaultProxy(upstreamUrl: string, initial: FaultMode = { kind: 'pass' }): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  let current: FaultMode = initial;
  let flapSince = Date.now();
  let nonsenseCounter = 0;
  const held: Held[] = [];
  const sockets = new Set<Socket>();
  const requests: ProxiedRequest[] = [];
  const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  function methodOf(body: Buffer): string {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { method?: unknown };
      if (typeof parsed.method === 'string') return parsed.method;
    } catch {
      // not JSON
    }
    return '?';
  }

  function record(body: Buffer, handling: ProxiedRequest['handling']): void {
    requests.push({ method: methodOf(body), handling, at: Date.now() });
    if (requests.length > 10_000) requests.splice(0, requests.length - 10_000);
  }

  function forward(
    req: http.IncomingMessage,
    body: Buffer,
    onReply: (status: number, headers: http.IncomingHttpHeaders, reply: Buffer) => void,
    res: http.ServerResponse,
  ): void {
    const out = http.request(
      {
        host: upstream.hostname,
        port: Number(upstream.port),
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) },
        agent: upstreamAgent,
      },
      (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => chunks.push(c));
        reply.on('end', () => onReply(reply.statusCode ?? 502, reply.headers, Buffer.concat(chunks)));
        reply.on('error', () => res.socket?.destroy());
      },
    );
    // The node itself is down (the test stopped it): the pool sees a reset connection, as it would.
    out.on('error', () => res.socket?.destroy());
    out.end(body);
  }

  function relay(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    forward(
      req,
      body,
      (status, headers, reply) => {
        const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...rest } = headers;
        res.writeHead(status, { ...rest, 'content-length': String(reply.length) });
        res.end(reply);
      },
      res,
    );
  }

  function nonsense(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    forward(
      req,
      body,
      (_status, _headers, reply) => {
        let envelope: { id?: unknown; result?: unknown; error?: unknown };
        try {
          envelope = JSON.parse(reply.toString('utf8')) as typeof envelope;
        } catch {
          envelope = {};
        }
        const text = JSON.stringify({ jsonrpc: '2.0', id: envelope.id ?? null, result: wrongShape(envelope.result, nonsenseCounter++), error: null });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      },
      res,
    );
  }

  function effective(): FaultMode['kind'] {
    if (current.kind !== 'flap') return current.kind;
    return Math.floor((Date.now() - flapSince) / current.everyMs) % 2 === 0 ? 'drop' : 'pass';
  }

  function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    let kind = effective();
    if (current.kind === 'nonsense' && current.only !== undefined && !current.only.includes(methodOf(body))) kind = 'pass';
    switch (kind) {
      case 'pass':
        record(body, 'pass');
        relay(req, body, res);
        return;
      case 'delay': {
        record(body, 'delay');
        const ms = current.kind === 'delay' ? current.ms : 0;
        setTimeout(() => relay(req, body, res), ms);
        return;
      }
      case 'drop':
        record(body, 'drop');
        req.socket.destroy();
        return;
      case 'garbage':
        record(body, 'garbage');
        req.socket.end(randomBytes(32 + Math.floor(Math.random() * 480)));
        return;
      case 'html502':
        record(body, 'html502');
        res.writeHead(502, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(HTML_502)) });
        res.end(HTML_502);
        return;
      case 'nonsense':
        record(body, 'nonsense');
        nonsense(req, body, res);
        return;
      case 'hang':
        record(body, 'hang');
        held.push({ req, body, res });
        return;
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.socket.destroy();
      else chunks.push(c);
    });
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A node that is down refuses at once; a flapping one too, during its down phases.
    if (effective() === 'drop') {
      requests.push({ method: '?', handling: 'drop', at: Date.now() });
      socket.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mode: () => current,
    setMode(mode: FaultMode): void {
      current = mode;
      flapSince = Date.now();
      if (mode.kind === 'hang') return;
      // The node wakes up: what it held is answered now (late), by the node itself.
      for (const h of held.splice(0)) {
        if (!h.res.socket || h.res.socket.destroyed) continue;
        relay(h.req, h.body, h.res);
      }
    },
    async close(): Promise<void> {
      for (const h of held.splice(0)) h.res.socket?.destroy();
      for (const s of sockets) s.destroy();
      upstreamAgent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The node's result turned into something of the wrong shape; `n` walks through the variants. */
export function wrongShape(result: unknown, n: number): unknown {
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
    const record = result as Record<string, unknown>;
    const keys = REQUIRED_TEMPLATE_FIELDS.filter((k) => k in record);
    // Every fourth answer replaces the whole object; the others break one field the template needs.
    if (keys.length === 0 || n % 4 === 3) return n % 2 === 0 ? [] : 'template';
    const key = keys[n % keys.length]!;
    const broken = WRONG_SCALARS.find((w) => typeof w !== typeof record[key] || Array.isArray(w) !== Array.isArray(record[key]));
    return { ...record, [key]: key === 'transactions' ? { not: 'a list' } : broken };
  }
  // A string result (a block hash) also gets a string that is not one.
  const variants = WRONG_SCALARS.filter((w) => typeof w !== typeof result || (typeof result === 'string' && w !== result));
  return variants[n % variants.length];
}
