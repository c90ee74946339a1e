/**
 * The GXC devnet, set up like the recorded node (testnet, difficulty 1, the same genesis hash, node wallet and
 * clock), answers every recorded request with the recorded reply — byte for byte in the node's JSON format,
 * except where the real node's value is random (coinbase ids) or garbage (feeburnrate, read from uninitialised
 * memory). Requests are sent raw, as the recorder sent them (Python json separators, 174 bytes of headers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbl, Double, dumpNlohmann, type NJson } from '../../../src/devnet/gxc/nlohmann-json.js';
import { startGxcDevnet, type GxcDevnet } from '../../../src/devnet/gxc/index.js';
import { postWithHeaderSize, rawRequest } from '../../chains/gxc/helpers/raw-http.js';
import { GENESIS_HASH, NODE_WALLET, RECORDED_TIME, transcript, transcriptExact } from '../../chains/gxc/helpers/transcript.js';

/** Python's json.dumps with its default separators (how the recorder wrote requests). */
function pyDumps(v: NJson): string {
  if (v instanceof Double) return dumpNlohmann(v);
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`)
      .join(', ')}}`;
  return dumpNlohmann(v);
}

const RECORDER_HEADER_BYTES = 174;

async function replay(devnet: GxcDevnet, index: number): Promise<{ body: string; status: number; connection?: string }> {
  const req = transcriptExact.exchanges[index]!.request;
  const body = typeof req === 'string' ? req : pyDumps(req);
  const reply = await rawRequest(devnet.url, postWithHeaderSize(body, RECORDER_HEADER_BYTES));
  return { body: reply.body, status: reply.status, connection: reply.headers.connection };
}

function recorded(index: number, patch?: (r: { [key: string]: NJson }) => void): string {
  const response = structuredCloneExact(transcriptExact.exchanges[index]!.response) as { [key: string]: NJson };
  patch?.(response);
  return dumpNlohmann(response);
}

/** structuredClone loses the Double class; rebuild it. */
function structuredCloneExact(v: NJson): NJson {
  if (v instanceof Double) return dbl(v.value);
  if (Array.isArray(v)) return v.map(structuredCloneExact);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, structuredCloneExact(x)]));
  return v;
}

const ix = (note: string): number => transcript.exchanges.findIndex((e) => e.note === note);

let devnet: GxcDevnet;
beforeAll(async () => {
  devnet = await startGxcDevnet({
    difficulty: 1,
    genesisHash: GENESIS_HASH,
    genesisTime: RECORDED_TIME - 600,
    walletAddresses: [NODE_WALLET],
    mempoolTxs: 0,
    verifyHashes: false,
    now: () => RECORDED_TIME,
  });
});
afterAll(() => devnet.stop());

describe('GXC devnet reproduces the recorded node', () => {
  it('answers the whole transcript in order', async () => {
    expect(transcript.exchanges).toHaveLength(23);
    const recordedCoinbaseIds: string[] = [];
    for (let i = 0; i < transcript.exchanges.length; i++) {
      const e = transcript.exchanges[i]!;
      const got = await replay(devnet, i);
      expect(got.status, e.note).toBe(e.http_status);
      expect(got.connection, e.note).toBe('close');
      let expected: string;
      let actual = got.body;
      if (i === ix('template for the pool address') || i === ix('template via the gxc_ alias')) {
        // Coinbase ids are random on the node (a nonce is hashed in): put the recorded id in the devnet's answer.
        const ours = JSON.parse(actual) as { result: { transactions: Array<{ hash: string }> } };
        const theirs = (e.response.result as { transactions: Array<{ hash: string }> }).transactions[0]!.hash;
        actual = actual.split(ours.result.transactions[0]!.hash).join(theirs);
        recordedCoinbaseIds.push(theirs);
        expected = recorded(i);
      } else if (i === ix('block 1 as stored')) {
        // feeburnrate is uninitialised memory on the node; the devnet answers 0.0.
        expected = recorded(i, (r) => ((r.result as { [key: string]: NJson }).feeburnrate = dbl(0)));
      } else {
        expected = recorded(i);
      }
      expect(actual, `${i}: ${e.note}`).toBe(expected);
    }
    expect(recordedCoinbaseIds).toHaveLength(2);
  });
});

describe('GXC devnet re-verifies hashes (unlike the node)', () => {
  it('accepts the node-style block but refuses a hash that does not match its fields', async () => {
    const strict = await startGxcDevnet({
      difficulty: 1,
      genesisHash: GENESIS_HASH,
      walletAddresses: [NODE_WALLET],
      mempoolTxs: 0,
      now: () => RECORDED_TIME,
    });
    try {
      const accepted = await replay(strict, ix('valid block (node-style hash) -> null = accepted'));
      expect(accepted.body).toBe('{"id":1,"jsonrpc":"2.0","result":null}');
      const forged = await replay(strict, ix('hash that does not match the fields is still accepted: the node never recomputes it'));
      const answer = JSON.parse(forged.body) as { error: { code: number; message: string } };
      expect(answer.error.code).toBe(-32603);
      expect(answer.error.message).toMatch(/^Failed to submit block: Block hash does not match the block fields/);
      expect(strict.chain.count).toBe(2);
    } finally {
      await strict.stop();
    }
  });

  it('answers health checks, OPTIONS and other verbs like the node', async () => {
    const health = await rawRequest(devnet.url, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ service: 'GXC Blockchain Node', status: 'ok', height: devnet.chain.count });
    expect((await rawRequest(devnet.url, 'GET /nope HTTP/1.1\r\n\r\n')).status).toBe(404);
    expect((await rawRequest(devnet.url, 'OPTIONS / HTTP/1.1\r\n\r\n')).headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect((await rawRequest(devnet.url, 'PUT / HTTP/1.1\r\n\r\n')).status).toBe(405);
    // A batch is not an object with "jsonrpc": refused as the node does.
    const batch = await rawRequest(devnet.url, postWithHeaderSize('[{"jsonrpc":"2.0","id":1,"method":"getblockcount"}]', 120));
    expect(batch.body).toBe('{"error":{"code":-32600,"message":"Invalid Request: missing or invalid jsonrpc field"},"id":null,"jsonrpc":"2.0"}');
  });
});
