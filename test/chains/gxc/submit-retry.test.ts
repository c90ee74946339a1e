/**
 * A submitblock whose reply is lost (the node may have taken the block) must not be sent again: the real node
 * answers a resubmission with "Stale block" (recorded in gxc-node-transcript.json), which would turn "no verdict,
 * check the chain" into a confident "another block won the race".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGxcAdapter } from '../../../src/chains/gxc/adapter.js';
import { createRpcClient } from '../../../src/rpc/client.js';
import { mineWork } from './helpers/mine.js';
import { exchange, POOL_ADDRESS } from './helpers/transcript.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** getblocktemplate answers the recorded template; submitblock hangs up once (after reading it), then answers as recorded for a resubmit. */
async function flakyNode(): Promise<{ url: string; submits: number[] }> {
  const submits: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; method: string };
      // Like the real node: every reply closes the connection, so no socket is reused.
      res.setHeader('Connection', 'close');
      if (body.method === 'getblocktemplate') {
        res.end(JSON.stringify({ ...exchange('template for the pool address').response, id: body.id }));
        return;
      }
      submits.push(Date.now());
      if (submits.length === 1) {
        req.socket.destroy();
        return;
      }
      res.end(JSON.stringify({ ...exchange('same block again -> rejected (stale)').response, id: body.id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, submits };
}

describe('GXC submitBlock with a lost reply', () => {
  it('is sent once and reported as no verdict, even with a retrying RPC client', async () => {
    const node = await flakyNode();
    const rpc = createRpcClient({ url: node.url, jsonrpc: '2.0', retries: 2, retryDelayMs: 10, timeoutMs: 5000 });
    closers.push(async () => rpc.close());
    const adapter = createGxcAdapter({ rpc, poolAddress: POOL_ADDRESS, network: 'testnet' });
    const work = await adapter.getWork(8);
    const outcome = await adapter.submitBlock(work, mineWork(work));
    expect(node.submits).toHaveLength(1);
    expect(outcome.accepted).toBe(false);
    expect(outcome.reason).toMatch(/^no-verdict: /);
    expect(outcome.uncertain).toBe(true);
  });
});
