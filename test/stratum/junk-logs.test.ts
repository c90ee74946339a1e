/**
 * Log amplification (issue 7): junk sent by many connections must produce a bounded number of log lines, and
 * the pool must keep serving a clean miner meanwhile. The bound: per kind of junk event ('bad line', 'refused
 * request', 'junk disconnect'), at most 20 lines plus one summary line per 10 s window (src/log/sampler.ts).
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BanRegistry } from '../../src/stratum/bans.js';
import { DEFAULT_SAMPLED_LINES_PER_WINDOW, DEFAULT_SAMPLING_WINDOW_MS } from '../../src/log/sampler.js';
import type { TestClient } from './helpers/client.js';
import { Harness, handshake, jobIdOf, submitParams } from './helpers/harness.js';

const h = new Harness();
afterEach(() => h.closeAll());

const JUNK_KINDS = ['bad line', 'refused request', 'junk disconnect'];
const TOTAL_LINES = 100_000;
const CONNECTIONS = 200;
const PARALLEL = 20;

/** 500 lines of one flavour of junk per connection: garbage, unknown methods, bad params, binary, oversize. */
function junkFor(n: number): string | Buffer {
  const perConnection = TOTAL_LINES / CONNECTIONS;
  const lines: string[] = [];
  for (let i = 0; i < perConnection; i++) {
    switch (n % 5) {
      case 0:
        lines.push(`{"id": ${i}, garbage ${i}`);
        break;
      case 1:
        lines.push(JSON.stringify({ id: i, method: `mining.nothing${i}`, params: [] }));
        break;
      case 2:
        lines.push(JSON.stringify({ id: i, method: 'mining.submit', params: [i] }));
        break;
      case 3:
        lines.push(Buffer.from([0xff, 0xfe, i & 0xff, 0x80]).toString('latin1'));
        break;
      default:
        lines.push(i === 0 ? 'x'.repeat(20_000) : `{"id":${i}}`);
    }
  }
  const text = `${lines.join('\n')}\n`;
  return n % 5 === 3 ? Buffer.from(text, 'latin1') : text;
}

describe('junk floods and the log', () => {
  it(`${TOTAL_LINES} junk lines over ${CONNECTIONS} connections write a bounded number of lines; a clean miner is served`, async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => void lines.push(line) });
    // Bans off: every junk line must reach the connection code (bans would refuse the flood at accept, and the ban
    // policy has its own tests); what is measured here is the log bound under the whole flood.
    const { port } = await h.start({ logger, limits: { maxConnectionsPerIp: 100 }, bans: new BanRegistry({ enabled: false }) });
    const clean = await h.client(port);
    const job = jobIdOf((await handshake(clean, 'bcrt1qtestaddress0.clean')).notify);
    const linesBefore = lines.length;
    const started = Date.now();

    let cleanAccepted = 0;
    let nonce = 0;
    const flood = async (): Promise<void> => {
      for (let batch = 0; batch < CONNECTIONS / PARALLEL; batch++) {
        const clients: TestClient[] = [];
        for (let i = 0; i < PARALLEL; i++) clients.push(await h.client(port));
        for (const [i, c] of clients.entries()) c.sendRaw(junkFor(batch * PARALLEL + i));
        await Promise.all(clients.map((c) => Promise.race([c.closed, new Promise((r) => setTimeout(r, 15_000))])));
        for (const c of clients) expect(c.isClosed, `junk connection ${batch}`).toBe(true);
        // The clean miner is answered between the batches.
        const reply = await clean.call(100 + batch, 'mining.submit', submitParams('bcrt1qtestaddress0.clean', job, ++nonce));
        if (reply.result === true) cleanAccepted++;
      }
    };
    await flood();
    const elapsed = Date.now() - started;

    expect(cleanAccepted).toBe(CONNECTIONS / PARALLEL);
    expect(clean.isClosed).toBe(false);
    const written = lines.slice(linesBefore);
    const windows = Math.ceil(elapsed / DEFAULT_SAMPLING_WINDOW_MS) + 1;
    const bound = JUNK_KINDS.length * (DEFAULT_SAMPLED_LINES_PER_WINDOW + 1) * windows;
    expect(written.length, `${written.length} lines in ${elapsed} ms: ${written.slice(0, 3).join('')}`).toBeLessThanOrEqual(bound);
    // Sampling held lines back (each connection's junk was seen: 200 disconnects, far more refused requests).
    const disconnects = written.filter((l) => l.includes('"msg":"disconnect"')).length;
    expect(disconnects).toBeGreaterThan(0);
    expect(disconnects).toBeLessThanOrEqual((DEFAULT_SAMPLED_LINES_PER_WINDOW + 1) * windows);
    console.log(`${written.length} log lines (bound ${bound}) for ${TOTAL_LINES} junk lines over ${CONNECTIONS} connections in ${elapsed} ms`);
  }, 120_000);
});
