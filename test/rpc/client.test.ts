import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRpcClient, redactUrl, type HttpRpcClient } from '../../src/rpc/client.js';
import { RpcError, RpcRequestTooLargeError, RpcTransportError } from '../../src/rpc/types.js';
import { closedPort, sendJson, startHttpServer, startRawOneReadServer } from './servers.js';

interface RecordedExchange {
  note?: string;
  description?: string;
  http_status: number;
  response?: unknown;
  body?: string;
}
const bitcoinTemplates = JSON.parse(readFileSync(new URL('../../../shared/testdata/bitcoin-regtest-templates.json', import.meta.url), 'utf8')) as {
  rpc_errors: RecordedExchange[];
};
const gxcTranscript = JSON.parse(readFileSync(new URL('../../../shared/testdata/gxc-node-transcript.json', import.meta.url), 'utf8')) as {
  exchanges: RecordedExchange[];
};

function recordedBitcoin(description: string): RecordedExchange {
  const found = bitcoinTemplates.rpc_errors.find((e) => e.description === description);
  if (!found) throw new Error(`no recorded exchange "${description}"`);
  return found;
}
function recordedGxc(note: string): RecordedExchange {
  const found = gxcTranscript.exchanges.find((e) => e.note === note);
  if (!found) throw new Error(`no recorded exchange "${note}"`);
  return found;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
function track<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(() => thing.close() as Promise<void> | void);
  return thing;
}
function client(opts: Parameters<typeof createRpcClient>[0]): HttpRpcClient {
  return track(createRpcClient({ retryDelayMs: 10, ...opts }));
}

describe('createRpcClient: requests and results', () => {
  it('sends a JSON-RPC request with basic auth decoded from the URL and increments ids', async () => {
    const server = track(
      await startHttpServer((req, res) => sendJson(res, 200, { result: { height: req.json?.id }, error: null, id: req.json?.id })),
    );
    const url = server.url.replace('http://', 'http://us%40er:p%3Ass%20w@');
    const rpc = client({ url });
    await expect(rpc.call('getblockchaininfo', [{ verbose: true }])).resolves.toEqual({ height: 1 });
    await expect(rpc.call('getblockcount')).resolves.toEqual({ height: 2 });
    const [first, second] = server.seen;
    expect(first!.json).toEqual({ jsonrpc: '1.0', id: 1, method: 'getblockchaininfo', params: [{ verbose: true }] });
    expect(second!.json).toEqual({ jsonrpc: '1.0', id: 2, method: 'getblockcount', params: [] });
    const auth = first!.headers.authorization ?? '';
    expect(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8')).toBe('us@er:p:ss w');
    expect(first!.headers['content-type']).toBe('application/json');
    expect(rpc.displayUrl).toBe(`http://us%40er:***@127.0.0.1:${server.port}/`);
    expect(rpc.displayUrl).not.toContain('p%3A');
  });

  it('writes "jsonrpc":"2.0" when asked and accepts a 2.0 success reply without an error member', async () => {
    const ok = recordedGxc('count before mining: genesis only -> 1 (tip height + 1)');
    const server = track(await startHttpServer((_req, res) => sendJson(res, ok.http_status, ok.response)));
    const rpc = client({ url: server.url, jsonrpc: '2.0' });
    await expect(rpc.call('getblockcount')).resolves.toBe(1);
    expect(server.seen[0]!.json?.jsonrpc).toBe('2.0');
    expect(server.seen[0]!.headers.authorization).toBeUndefined();
  });

  it('writes bigint params as exact digits and callRaw sends the params text verbatim', async () => {
    const server = track(await startHttpServer((req, res) => sendJson(res, 200, { result: null, error: null, id: req.json?.id })));
    const rpc = client({ url: server.url, jsonrpc: '2.0' });
    await rpc.call('submitblock', [{ nonce: 18446744073709551615n, height: 7 }]);
    expect(server.seen[0]!.body).toContain('"params":[{"nonce":18446744073709551615,"height":7}]');
    await rpc.callRaw('submitblock', '[{"nonce": 9007199254740993}]');
    expect(server.seen[1]!.body).toContain('"params":[{"nonce": 9007199254740993}]');
    await expect(rpc.callRaw('x', '{"not":"an array"}')).rejects.toThrow(/must be a JSON array/);
    await expect(rpc.callRaw('x', '[1,')).rejects.toThrow(/not valid JSON/);
    await expect(rpc.call('x', [Number.NaN])).rejects.toThrow(/params\[0\] is NaN/);
    expect(server.seen).toHaveLength(2);
  });
});

describe('createRpcClient: errors', () => {
  it('maps Bitcoin Core HTTP 500 + JSON error body (recorded) to RpcError, without retrying', async () => {
    const rec = recordedBitcoin('getblocktemplate with an empty request object (no segwit rule)');
    const server = track(await startHttpServer((req, res) => sendJson(res, rec.http_status, { ...(rec.response as object), id: req.json?.id })));
    const rpc = client({ url: server.url, retries: 3 });
    const err = await rpc.call('getblocktemplate', [{}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(-8);
    expect((err as RpcError).rpcMessage).toMatch(/segwit rule set/);
    expect(server.seen).toHaveLength(1);
  });

  it('maps Bitcoin Core 404 "Method not found" (recorded) to RpcError.isMethodNotFound', async () => {
    const rec = recordedBitcoin('unknown method');
    const server = track(await startHttpServer((req, res) => sendJson(res, rec.http_status, { ...(rec.response as object), id: req.json?.id })));
    const err = await client({ url: server.url })
      .call('getblocktemplat')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).isMethodNotFound).toBe(true);
  });

  it('reports HTTP 401 (recorded: empty body) as authentication failed, without retrying', async () => {
    const rec = recordedBitcoin('wrong rpc password');
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(rec.http_status, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Length': 0 });
        res.end(rec.body);
      }),
    );
    const err = await client({ url: server.url.replace('//', '//u:wrong@'), retries: 3 })
      .call('getblockcount')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(/authentication failed \(HTTP 401\)/);
    expect((err as RpcTransportError).details.httpStatus).toBe(401);
    expect(server.seen).toHaveLength(1);
  });

  it('reports a garbage 200 body with its first 100 characters, without retrying', async () => {
    const garbage = 'garbage!' + 'x'.repeat(300);
    const server = track(await startHttpServer((_req, res) => res.end(garbage)));
    const err = await client({ url: server.url, retries: 3 })
      .call('getblockcount')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    const message = (err as Error).message;
    expect(message).toContain('HTTP 200 with non-JSON body: "garbage!xxxx');
    expect(message).not.toContain('x'.repeat(120));
    expect(server.seen).toHaveLength(1);
  });

  it('retries an HTML 502 (a proxy page) and then names what came back', async () => {
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      }),
    );
    const err = await client({ url: server.url, retries: 2 })
      .call('getblockcount')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(/HTTP 502 with non-JSON body: "<html><body><h1>502 Bad Gateway/);
    expect(server.seen).toHaveLength(3);
  });

  it('a JSON-RPC 2.0 error with HTTP 200 (recorded GXC -32603) is an RpcError', async () => {
    const rec = recordedGxc('same block again -> rejected (stale)');
    const server = track(await startHttpServer((_req, res) => sendJson(res, rec.http_status, rec.response)));
    const err = await client({ url: server.url, jsonrpc: '2.0', retries: 2 })
      .call('submitblock', [{}])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(-32603);
    expect((err as RpcError).rpcMessage).toBe('Failed to submit block: Stale block');
    expect(server.seen).toHaveLength(1);
  });

  it('treats a reply cut short of its Content-Length as a transport error', async () => {
    const server = track(
      await startHttpServer((_req, res) => {
        res.writeHead(200, { 'Content-Length': 200 });
        res.write('{"result":');
        setTimeout(() => res.socket?.destroy(), 20);
      }),
    );
    const err = await client({ url: server.url, retries: 0 })
      .call('getblockcount')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(/reply/);
  });

  it('times out, retries and then succeeds', async () => {
    const server = track(
      await startHttpServer((req, res, index) => {
        if (index === 0) return; // never answer the first attempt
        sendJson(res, 200, { result: 'late but fine', error: null, id: req.json?.id });
      }),
    );
    const started = Date.now();
    const result = await client({ url: server.url, timeoutMs: 200, retries: 1 }).call('getbestblockhash');
    expect(result).toBe('late but fine');
    expect(server.seen).toHaveLength(2);
    expect(server.seen[0]!.json?.id).toBe(server.seen[1]!.json?.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('gives up on a refused connection after its retries, in bounded time', async () => {
    const port = await closedPort();
    const rpc = client({ url: `http://127.0.0.1:${port}/`, retries: 3, retryDelayMs: 20 });
    const started = Date.now();
    const err = await rpc.call('getblockcount').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(RpcTransportError);
    expect((err as Error).message).toMatch(/connection refused/);
    expect((err as RpcTransportError).details.errorCode).toBe('ECONNREFUSED');
    // 3 backoffs of at most 20, 40, 80 ms (at least half each), well under a second.
    expect(elapsed).toBeGreaterThanOrEqual(70);
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('keep-alive', () => {
  it('reuses one connection for sequential calls', async () => {
    const server = track(await startHttpServer((req, res) => sendJson(res, 200, { result: 1, error: null, id: req.json?.id })));
    const rpc = client({ url: server.url });
    for (let i = 0; i < 3; i++) await rpc.call('getblockcount');
    const ports = new Set(server.seen.map((r) => r.remotePort));
    expect(ports.size).toBe(1);
  });

  it('survives a node that silently closes each connection right after replying', async () => {
    const server = track(
      await startHttpServer((req, res) => {
        sendJson(res, 200, { result: req.json?.id, error: null, id: req.json?.id });
        res.on('finish', () => res.socket?.destroy());
      }),
    );
    const rpc = client({ url: server.url, retries: 0 });
    for (let i = 1; i <= 5; i++) await expect(rpc.call('getblockcount')).resolves.toBe(i);
  });
});

describe('callFirst', () => {
  it('falls through only on "method not found" (recorded GXC -32601) and remembers the working name', async () => {
    const notFound = recordedGxc('unknown method');
    const server = track(
      await startHttpServer((req, res) => {
        if (req.json?.method === 'gxc_getBlockTemplate') return sendJson(res, 200, notFound.response);
        sendJson(res, 200, { jsonrpc: '2.0', id: req.json?.id, result: { height: 5 } });
      }),
    );
    const rpc = client({ url: server.url, jsonrpc: '2.0' });
    const names = ['gxc_getBlockTemplate', 'getblocktemplate'] as const;
    await expect(rpc.callFirst(names, [{ minerAddress: 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf' }])).resolves.toEqual({ height: 5 });
    await expect(rpc.callFirst(names, [{}])).resolves.toEqual({ height: 5 });
    expect(server.seen.map((r) => r.json?.method)).toEqual(['gxc_getBlockTemplate', 'getblocktemplate', 'getblocktemplate']);
  });

  it('does NOT fall through on -32603: a real error on the first name is the answer', async () => {
    const failure = recordedGxc('hash without enough leading zeros -> rejected');
    const server = track(await startHttpServer((_req, res) => sendJson(res, 200, failure.response)));
    const rpc = client({ url: server.url, jsonrpc: '2.0' });
    const err = await rpc.callFirst(['submitblock', 'gxc_submitBlock'], [{}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(-32603);
    expect(server.seen.map((r) => r.json?.method)).toEqual(['submitblock']);
  });

  it('does not fall through on -32600 (GXC: request refused for a missing jsonrpc field)', async () => {
    const refused = recordedGxc('same call without jsonrpc field is refused');
    const server = track(await startHttpServer((_req, res) => sendJson(res, 200, refused.response)));
    const err = await client({ url: server.url })
      .callFirst(['getblockcount', 'gxc_getBlockCount'])
      .catch((e: unknown) => e);
    expect((err as RpcError).code).toBe(-32600);
    expect(server.seen).toHaveLength(1);
  });

  it('reports every name when none exists', async () => {
    const server = track(
      await startHttpServer((req, res) =>
        sendJson(res, 404, { result: null, error: { code: -32601, message: 'Method not found' }, id: req.json?.id }),
      ),
    );
    const err = await client({ url: server.url })
      .callFirst(['a', 'b'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).isMethodNotFound).toBe(true);
    expect((err as Error).message).toMatch(/a, b/);
    expect(server.seen).toHaveLength(2);
  });
});

describe('the GXC node transport constraints', () => {
  function rawReply(first: Buffer): string {
    const text = first.toString('utf8');
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    const id = (JSON.parse(body) as { id: number }).id;
    const json = JSON.stringify({ id, jsonrpc: '2.0', result: body.length });
    return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\nConnection: close\r\n\r\n${json}`;
  }

  it('sends request line, headers and body in one write, and copes with Connection: close', async () => {
    const server = track(await startRawOneReadServer(rawReply));
    const rpc = client({ url: server.url, jsonrpc: '2.0', maxRequestBytes: 8000 });
    const payload = 'x'.repeat(7000);
    const sentBody = `{"jsonrpc":"2.0","id":1,"method":"submitblock","params":[${JSON.stringify(payload)}]}`;
    await expect(rpc.call('submitblock', [payload])).resolves.toBe(sentBody.length);
    // A second call after the node closed the connection opens a new one.
    await expect(rpc.call('getblockcount')).resolves.toBeGreaterThan(0);
    expect(server.chunks).toHaveLength(2);
    for (const connection of server.chunks) expect(connection).toHaveLength(1);
    const first = server.chunks[0]![0]!.toString('utf8');
    expect(first.startsWith('POST / HTTP/1.1\r\n')).toBe(true);
    expect(first.endsWith(sentBody)).toBe(true);
    expect(server.chunks[0]![0]!.length).toBeLessThanOrEqual(8000);
  });

  it('refuses a request over maxRequestBytes before sending, naming its size; one at the limit goes through', async () => {
    const server = track(await startRawOneReadServer(rawReply));
    const rpc = client({ url: server.url, jsonrpc: '2.0', maxRequestBytes: 8000 });
    const err = await rpc.call('submitblock', ['y'.repeat(8000)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcRequestTooLargeError);
    expect(err).toBeInstanceOf(RpcTransportError);
    const tooLarge = err as RpcRequestTooLargeError;
    expect(tooLarge.maxRequestBytes).toBe(8000);
    expect(tooLarge.message).toContain(`request is ${tooLarge.requestBytes} bytes`);
    expect(tooLarge.message).toContain('limit of 8000 bytes');
    expect(server.chunks).toHaveLength(0);

    // Shrink the payload by exactly the overshoot: the request is then 8000 bytes on the wire, and accepted.
    const fitting = 'y'.repeat(8000 - (tooLarge.requestBytes - 8000));
    await rpc.call('submitblock', [fitting]);
    expect(server.chunks).toHaveLength(1);
    expect(server.chunks[0]![0]!.length).toBe(8000);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('http://alice:s3cret@node:8332/wallet/x')).toBe('http://alice:***@node:8332/wallet/x');
    expect(redactUrl('http://node:8332')).toBe('http://node:8332/');
    expect(redactUrl('not a url //bob:pw@x')).toBe('not a url //***@x');
  });

  it('rejects URLs that are not http(s)', () => {
    expect(() => createRpcClient({ url: 'ftp://x:1/' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => createRpcClient({ url: 'nonsense' })).toThrow(/not a valid URL/);
  });
});
