/** The devnet's Bitcoin Core RPC over HTTP: recorded error answers, mining by hand, long polling, garbage input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { sha256d } from '../../../src/core/hash.js';
import { merkleRoot } from '../../../src/core/merkle.js';
import { bitsToTarget } from '../../../src/core/target.js';
import { startDevnet, startBitcoinDevnet, type RunningDevnet, type BitcoinDevnet } from '../../../src/devnet/index.js';
import { buildBlock, call, loadVectors, rpc, type Template } from './helpers.js';

interface RecordedRpcError {
  description: string;
  request: { method: string; params: unknown[] };
  http_status: number;
  response?: { error: { code: number; message: string } };
  error_code?: number;
  message_first_line?: string;
  www_authenticate?: string;
}
const templates = loadVectors<{ rpc_errors: RecordedRpcError[] }>('bitcoin-regtest-templates.json');
const rejects = loadVectors<{
  rejects: Array<{
    name: string;
    submitblock: { http_status: number; response: unknown };
    submitblock_jsonrpc_2_0?: { http_status: number; response: Record<string, unknown> };
  }>;
}>('bitcoin-submitblock-rejects.json');

let devnet: RunningDevnet;
let url: string;
beforeAll(async () => {
  devnet = await startDevnet({ bits: '207fffff', bootstrapHeight: 110, autoTransactions: 3, longPollTimeoutMs: 1500 });
  url = devnet.url;
});
afterAll(async () => {
  await devnet?.stop();
});

describe('recorded Bitcoin Core RPC errors', () => {
  for (const rec of templates.rpc_errors.filter((r) => r.http_status !== 401)) {
    it(rec.description, async () => {
      const r = await rpc(url, rec.request.method, rec.request.params);
      expect(r.status).toBe(rec.http_status);
      expect(r.body.result).toBeNull();
      if (rec.response) expect(r.body.error).toEqual(rec.response.error);
      else {
        expect(r.body.error!.code).toBe(rec.error_code);
        expect(r.body.error!.message.split('\n')[0]).toBe(rec.message_first_line);
      }
    });
  }

  it('submitblock of undecodable data: -22 with HTTP 500 (1.0) and HTTP 200 (2.0), exactly as recorded', async () => {
    for (const rec of rejects.rejects.filter((x) => x.submitblock_jsonrpc_2_0)) {
      const hex = rec.name === 'not-hex' ? 'zz' : buildBlockHexPrefix(await call<Template>(url, 'getblocktemplate', [{ rules: ['segwit'] }]));
      const v1 = await rpc(url, 'submitblock', [hex]);
      expect(v1.status).toBe(rec.submitblock.http_status);
      expect({ ...v1.body, id: null }).toEqual({ ...(rec.submitblock.response as object), id: null });
      const v2 = await rpc(url, 'submitblock', [hex], { version: '2.0' });
      expect(v2.status).toBe(rec.submitblock_jsonrpc_2_0!.http_status);
      expect({ ...v2.body, id: null }).toEqual({ ...rec.submitblock_jsonrpc_2_0!.response, id: null });
    }
  });

  it('basic auth: 401 with an empty body and the realm header, as recorded; the right password works', async () => {
    const rec = templates.rpc_errors.find((r) => r.http_status === 401)!;
    const locked = await startDevnet({ bits: '207fffff', bootstrapHeight: 1, autoTransactions: 0, rpcUser: 'pool', rpcPassword: 's3cret' });
    try {
      const res = await fetch(locked.url, {
        method: 'POST',
        headers: { authorization: 'Basic ' + Buffer.from('pool:wrong').toString('base64') },
        body: '{"method":"getblockcount"}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(rec.www_authenticate);
      expect(await res.text()).toBe('');
      expect((await fetch(locked.url, { method: 'POST', body: '{"method":"getblockcount"}' })).status).toBe(401);
      const ok = await rpc(locked.url, 'getblockcount', [], { auth: 'pool:s3cret' });
      expect(ok.body.result).toBe(1);
    } finally {
      await locked.stop();
    }
  });
});

/** A valid block's header + tx count only (the recorded 'truncated' case). */
function buildBlockHexPrefix(t: Template): string {
  return buildBlock(t).hex.slice(0, 162);
}

describe('mining on the devnet by hand', () => {
  it('template → block built with core/* and tx.ts → submitblock null → the chain serves it back', async () => {
    const t = await call<Template & { transactions: Array<{ data: string; hash: string; txid: string; fee: number }> }>(url, 'getblocktemplate', [
      { rules: ['segwit'] },
    ]);
    expect(t.transactions.length).toBeGreaterThan(0);
    for (const x of t.transactions) expect(sha256d(Buffer.from(x.data, 'hex')).reverse().toString('hex')).toBe(x.hash);
    const wroot = merkleRoot([Buffer.alloc(32), ...t.transactions.map((x) => Buffer.from(x.hash, 'hex').reverse())]);
    expect(t.default_witness_commitment).toBe('6a24aa21a9ed' + sha256d(Buffer.concat([wroot, Buffer.alloc(32)])).toString('hex'));
    expect(BigInt('0x' + t.target)).toBe(bitsToTarget(t.bits));
    const fees = t.transactions.reduce((s, x) => s + x.fee, 0);
    expect(t.coinbasevalue).toBe(50 * 1e8 + fees);
    expect(t.longpollid).toBe(t.previousblockhash + t.longpollid.slice(64));

    const block = buildBlock(t);
    expect(await call(url, 'submitblock', [block.hex])).toBeNull();
    expect(await call(url, 'getbestblockhash')).toBe(block.hash);
    expect(await call(url, 'getblockcount')).toBe(t.height);
    expect(await call(url, 'getblockhash', [t.height])).toBe(block.hash);
    expect(await call(url, 'getblock', [block.hash, 0])).toBe(block.hex);
    const v1 = await call<{ tx: string[]; confirmations: number; nTx: number }>(url, 'getblock', [block.hash]);
    expect(v1.confirmations).toBe(1);
    expect(v1.tx.slice(1)).toEqual(t.transactions.map((x) => x.txid));
    const header = await call<{ confirmations: number; previousblockhash: string }>(url, 'getblockheader', [block.hash]);
    expect(header).toMatchObject({ confirmations: 1, previousblockhash: t.previousblockhash });
    expect(await call(url, 'getblockheader', [block.hash, false])).toBe(block.header.toString('hex'));
    expect(await call(url, 'submitblock', [block.hex])).toBe('duplicate');
    const mining = await call<{ blocks: number; difficulty: number }>(url, 'getmininginfo');
    expect(mining.blocks).toBe(t.height);
  });

  it('getblockhash out of range and unknown blocks give Core’s errors', async () => {
    expect((await rpc(url, 'getblockhash', [1_000_000])).body.error).toEqual({ code: -8, message: 'Block height out of range' });
    expect((await rpc(url, 'getblock', ['00'.repeat(32)])).body.error).toEqual({ code: -5, message: 'Block not found' });
    expect((await rpc(url, 'getblock', ['xyz'])).body.error!.code).toBe(-8);
  });

  it('invalidateblock orphans a block: the height gets another hash after the next block', async () => {
    const [first] = await call<string[]>(url, 'generatetoaddress', [1, 'bcrt1qtdtnqzx3zau002qx2xvqlj4hz5snduvjjtle05']);
    const height = await call<number>(url, 'getblockcount');
    expect(await call(url, 'getblockhash', [height])).toBe(first);
    expect(await call(url, 'invalidateblock', [first])).toBeNull();
    expect(await call(url, 'getblockcount')).toBe(height - 1);
    expect((await call<{ confirmations: number }>(url, 'getblockheader', [first])).confirmations).toBe(-1);
    const [second] = await call<string[]>(url, 'generatetoaddress', [1, 'bcrt1qtdtnqzx3zau002qx2xvqlj4hz5snduvjjtle05']);
    expect(second).not.toBe(first);
    expect(await call(url, 'getblockhash', [height])).toBe(second);
    // reconsiderblock: equal work, the current tip stays; one more block on the old branch would win.
    expect(await call(url, 'reconsiderblock', [first])).toBeNull();
    expect(await call(url, 'getbestblockhash')).toBe(second);
  });
});

describe('long polling', () => {
  it('a request with the current longpollid waits until a new block arrives', async () => {
    const t = await call<Template>(url, 'getblocktemplate', [{ rules: ['segwit'] }]);
    const started = Date.now();
    const waiting = call<Template>(url, 'getblocktemplate', [{ rules: ['segwit'], longpollid: t.longpollid }]);
    await new Promise((r) => setTimeout(r, 200));
    const [mined] = await call<string[]>(url, 'generatetoaddress', [1, 'bcrt1qtdtnqzx3zau002qx2xvqlj4hz5snduvjjtle05']);
    const next = await waiting;
    expect(next.previousblockhash).toBe(mined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('a stale longpollid answers at once; an unchanged chain answers after the wait', async () => {
    await new Promise((r) => setTimeout(r, 50)); // let background transactions settle
    const t = await call<Template>(url, 'getblocktemplate', [{ rules: ['segwit'] }]);
    let started = Date.now();
    await call(url, 'getblocktemplate', [{ rules: ['segwit'], longpollid: '00'.repeat(32) + '1' }]);
    expect(Date.now() - started).toBeLessThan(500);
    started = Date.now();
    const same = await call<Template>(url, 'getblocktemplate', [{ rules: ['segwit'], longpollid: t.longpollid }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(same.previousblockhash).toBe(t.previousblockhash);
  });
});

describe('garbage in, JSON-RPC errors out, and the server keeps serving', () => {
  let small: BitcoinDevnet;
  beforeAll(async () => {
    small = await startBitcoinDevnet({ bits: '207fffff', bootstrapHeight: 2, autoTransactions: 0, maxBodyBytes: 4096 });
  });
  afterAll(async () => {
    await small?.stop();
  });

  const cases: Array<[string, number, number]> = [
    ['{', 500, -32700],
    ['', 500, -32700],
    ['\u0000\u00ff garbage', 500, -32700],
    ['{"method": "getblockcount", "params": [1,]}', 500, -32700],
    ['123', 500, -32700],
    ['"text"', 500, -32700],
    ['{"params": []}', 400, -32600],
    ['{"method": 7}', 400, -32600],
    ['{"method": "getblockcount", "params": 5}', 400, -32600],
    ['{"method": "getblockhash", "params": ["x"]}', 500, -3],
    ['{"method": "getblockhash", "params": [1, 2, 3]}', 500, -1],
    ['{"method": "nope"}', 404, -32601],
    ['{"method": "submitblock", "params": [{}]}', 500, -3],
    ['{"method": "getblocktemplate", "params": [[]]}', 500, -3],
    ['{"method": "getblocktemplate", "params": [{"mode": "proposal"}]}', 500, -8],
    ['{"method": "getblock", "params": {"blockhash": "00", "bogus": 1}}', 500, -8],
    ['[' + '['.repeat(200) + ']'.repeat(200) + ']', 500, -32700],
  ];
  for (const [body, status, code] of cases) {
    it(`${JSON.stringify(body).slice(0, 60)} → HTTP ${status}, code ${code}`, async () => {
      const r = await rpc(small.url, '', [], { rawBody: body });
      expect(r.status).toBe(status);
      expect(r.body.error!.code).toBe(code);
      expect(await call(small.url, 'getblockcount')).toBe(2);
    });
  }

  it('batches, JSON-RPC 2.0 errors with HTTP 200, notifications, named params, GET, oversized bodies', async () => {
    const batch = await rpc(small.url, '', [], { rawBody: '[{"method":"getblockcount","id":1},{"method":"nope","id":2},5]' });
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual([
      { result: 2, error: null, id: 1 },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 2 },
      { result: null, error: { code: -32600, message: 'Invalid Request object' }, id: null },
    ]);
    const v2 = await rpc(small.url, 'nope', [], { version: '2.0' });
    expect(v2.status).toBe(200);
    expect(v2.body).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 1 });
    const note = await fetch(small.url, { method: 'POST', body: '{"jsonrpc":"2.0","method":"getblockcount"}' });
    expect(note.status).toBe(204);
    const named = await rpc(small.url, 'getblockhash', { height: 0 });
    expect(named.body.result).toBe(small.chain.genesis.hash);
    expect((await fetch(small.url)).status).toBe(405);
    const big = await fetch(small.url, { method: 'POST', body: JSON.stringify({ method: 'submitblock', params: ['00'.repeat(5000)] }) });
    expect(big.status).toBe(413);
    expect(await call(small.url, 'getblockcount')).toBe(2);
  });

  it('a client that disconnects mid-request or mid-long-poll does not hurt the server', async () => {
    const port = new URL(small.url).port;
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' });
      req.on('error', () => resolve());
      req.write('{"method":"getblockcount"');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const lpid = small.chain.longPollId;
    const ctrl = new AbortController();
    const lp = rpc(small.url, 'getblocktemplate', [{ rules: ['segwit'], longpollid: lpid }], { signal: ctrl.signal }).catch((e: Error) => e.name);
    setTimeout(() => ctrl.abort(), 100);
    expect(await lp).toBe('AbortError');
    expect(await call(small.url, 'getblockcount')).toBe(2);
  });
});
