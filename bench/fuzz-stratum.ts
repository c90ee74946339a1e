/**
 * Fuzzes a live Stratum server on loopback with generated messages (fast-check): well-formed requests with hostile
 * params, replies, JSON that is not an object, text that is not JSON, random bytes, over-long lines. Every fuzz
 * connection comes from its own loopback address (127.2.0.0 and up), so bans fall on fuzzers and not on the clean
 * miner at 127.0.0.1, which submits a share every 100 ms throughout and must get every one accepted.
 *
 *   node bin/run-ts.js bench/fuzz-stratum.ts [--messages=1000000] [--seconds=900] [--concurrency=64] [--batch=120]
 *
 * Prints: messages sent, replies received, errors by code and reason, notifications, connections closed by the
 * server vs by the fuzzer, refused (banned) connections, server-side disconnect reasons and bans (from its log),
 * uncaught exceptions / unhandled rejections, the clean miner's submits, acceptances and latency, memory.
 * Bounded by --messages and --seconds, whichever comes first.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { BanRegistry } from '../src/stratum/bans.js';
import { createStratumServer } from '../src/stratum/server.js';
import { argValue, numberArg } from './support/args.js';
import { FastBackend } from './support/fast-backend.js';
import { printMachine } from './support/machine.js';
import { fmt, fmtInt, mib, summarize } from './support/stats.js';
import { noBlockWork } from './support/work.js';

const maxMessages = Math.floor(numberArg('messages', 1_000_000));
const maxSeconds = numberArg('seconds', 900);
const concurrency = Math.floor(numberArg('concurrency', 64));
const batchSize = Math.floor(numberArg('batch', 120));
const seed = Number(argValue('seed') ?? 20261202);

// ---- Message generators -------------------------------------------------------------------------------------

const METHODS = [
  'mining.subscribe',
  'mining.authorize',
  'mining.submit',
  'mining.configure',
  'mining.suggest_difficulty',
  'mining.extranonce.subscribe',
  'mining.get_transactions',
  'eth_submitLogin',
  'eth_getWork',
  'client.get_version',
];
const hex = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789abcdefABCDEFxg'.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const param = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 3, arbitrary: hex(0, 18) },
  { weight: 1, arbitrary: fc.constantFrom('bcrt1qfuzz.rig', 'x', 'd=0.001', 'd=-1', 'version-rolling', '1fffe000', '') },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('version-rolling', 'minimum-difficulty', 'subscribe-extranonce', 'x'), { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom('version-rolling.mask', 'version-rolling.min-bit-count', 'minimum-difficulty.value'),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  },
);
const requestLine = fc
  .record({
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 80 }), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
    method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
    params: fc.oneof({ weight: 8, arbitrary: fc.array(param, { maxLength: 7 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
  })
  .map((r) => Buffer.from(`${JSON.stringify(r)}\n`));
const responseLine = fc
  .record({ id: fc.jsonValue({ maxDepth: 1 }), result: fc.jsonValue({ maxDepth: 2 }), error: fc.jsonValue({ maxDepth: 2 }) })
  .map((r) => Buffer.from(`${JSON.stringify(r)}\n`));
const notObject = fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(`${JSON.stringify(v) ?? 'null'}\n`));
const text = fc.string({ maxLength: 200, unit: 'grapheme' }).map((s) => Buffer.from(`${s.replace(/\n/g, ' ')}\n`));
const bytes = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.concat([Buffer.from(b), Buffer.from('\n')]));
const longLine = fc
  .integer({ min: 16_500, max: 40_000 })
  .map((n) => Buffer.from(`{"id":1,"method":"mining.subscribe","params":["${'a'.repeat(n)}"]}\n`));
/** A submit close to a valid one: the real job id most of the time, hex fields of plausible and implausible lengths. */
const nearSubmit = (jobId: () => string) =>
  fc
    .record({
      id: fc.integer({ min: 0, max: 1e6 }),
      job: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }),
      en2: fc.oneof({ weight: 4, arbitrary: hex(8, 8) }, { weight: 1, arbitrary: hex(0, 20) }),
      ntime: fc.oneof({ weight: 4, arbitrary: hex(8, 8) }, { weight: 1, arbitrary: hex(0, 12) }),
      nonce: fc.oneof({ weight: 4, arbitrary: hex(8, 8) }, { weight: 1, arbitrary: hex(0, 12) }),
      version: fc.option(hex(0, 10), { nil: undefined }),
      worker: fc.constantFrom('bcrt1qfuzz.rig', 'bcrt1qfuzz.other', ''),
    })
    .map((r) => {
      const params = [r.worker, r.job ?? jobId(), r.en2, r.ntime, r.nonce, ...(r.version === undefined ? [] : [r.version])];
      return Buffer.from(`${JSON.stringify({ id: r.id, method: 'mining.submit', params })}\n`);
    });

/** Well-formed requests (string method, array params) whose params are hostile. */
const protocolRequest = fc
  .record({
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 80 }), fc.constant(null)),
    method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }),
    params: fc.array(param, { maxLength: 7 }),
  })
  .map((r) => Buffer.from(`${JSON.stringify(r)}\n`));

/** A session that subscribed and authorized, then speaks well-formed JSON-RPC with hostile params. */
const protocolMessage = (jobId: () => string) =>
  fc.oneof({ weight: 6, arbitrary: protocolRequest }, { weight: 3, arbitrary: nearSubmit(jobId) }, { weight: 1, arbitrary: responseLine });
const HANDSHAKE = Buffer.from(
  '{"id":"s","method":"mining.subscribe","params":["fuzz/1"]}\n{"id":"a","method":"mining.authorize","params":["bcrt1qfuzz.rig","x"]}\n',
);

/** Anything at all, junk included (a few bad lines close the connection; repeated junk bans the address). */
const message = fc.oneof(
  { weight: 60, arbitrary: requestLine },
  { weight: 12, arbitrary: responseLine },
  { weight: 10, arbitrary: notObject },
  { weight: 10, arbitrary: text },
  { weight: 7, arbitrary: bytes },
  { weight: 1, arbitrary: longLine },
);

// ---- Server with a log that is counted, not printed -----------------------------------------------------------

const serverEvents = new Map<string, number>();
const count = (map: Map<string, number>, key: string, n = 1): void => {
  map.set(key, (map.get(key) ?? 0) + n);
};
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      const entry = JSON.parse(line) as { msg?: string; reason?: string };
      const reason = entry.reason === undefined ? '' : `: ${entry.reason.replace(/\d+/g, 'N').replace(/'.*'/, "'…'").slice(0, 60)}`;
      count(serverEvents, `${entry.msg ?? '?'}${entry.msg === 'disconnect' || entry.msg === 'address banned' ? reason : ''}`);
    }
    done();
  },
});
const logger = pino({ level: 'info', base: undefined }, logSink);
let uncaught = 0;
let unhandled = 0;
process.on('uncaughtException', (err) => {
  uncaught++;
  console.error('uncaught exception:', err);
});
process.on('unhandledRejection', (err) => {
  unhandled++;
  console.error('unhandled rejection:', err);
});

const backend = new FastBackend(noBlockWork());
const bans = new BanRegistry({}, logger.child({ component: 'bans' }));
const server = createStratumServer({ backend, bans, logger, difficulty: { initial: 1e-9, floor: 1e-9, ceiling: 1e-9 } });
const port = await server.listen(0, '127.0.0.1');

// ---- The clean miner ------------------------------------------------------------------------------------------

interface Clean {
  submits: number;
  accepted: number;
  refused: string[];
  latencies: number[];
  closed: boolean;
}
const clean: Clean = { submits: 0, accepted: 0, refused: [], latencies: [], closed: false };
const cleanSocket = await new Promise<Socket>((resolve, reject) => {
  const s = connect(port, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});
let cleanJob = '';
const sentAt = new Map<number, number>();
let cleanBuffer = '';
cleanSocket.setEncoding('utf8');
cleanSocket.on('close', () => (clean.closed = true));
cleanSocket.on('data', (chunk: string) => {
  cleanBuffer += chunk;
  let nl: number;
  while ((nl = cleanBuffer.indexOf('\n')) !== -1) {
    const msg = JSON.parse(cleanBuffer.slice(0, nl)) as { id?: number; method?: string; params?: unknown[]; result?: unknown; error?: unknown };
    cleanBuffer = cleanBuffer.slice(nl + 1);
    if (msg.method === 'mining.notify') cleanJob = String(msg.params?.[0]);
    else if (msg.method === undefined && typeof msg.id === 'number' && msg.id >= 100) {
      clean.latencies.push(performance.now() - (sentAt.get(msg.id) ?? 0));
      sentAt.delete(msg.id);
      if (msg.result === true) clean.accepted++;
      else clean.refused.push(JSON.stringify(msg.error));
    }
  }
});
cleanSocket.write(
  '{"id":1,"method":"mining.subscribe","params":["clean/1"]}\n{"id":2,"method":"mining.authorize","params":["bcrt1qclean.rig","x"]}\n',
);
let cleanNonce = 0;
const cleanTimer = setInterval(() => {
  if (cleanJob === '' || clean.closed) return;
  const id = 100 + clean.submits++;
  const nonce = (cleanNonce++).toString(16).padStart(8, '0');
  sentAt.set(id, performance.now());
  cleanSocket.write(
    `${JSON.stringify({ id, method: 'mining.submit', params: ['bcrt1qclean.rig', cleanJob, nonce, backend.currentJob()!.ntime, nonce] })}\n`,
  );
}, 100);

// ---- The fuzzers ----------------------------------------------------------------------------------------------

const totals = {
  junkConnections: 0,
  sent: 0,
  bytes: 0,
  replies: 0,
  notifications: 0,
  connections: 0,
  closedByServer: 0,
  closedByFuzzer: 0,
  refused: 0,
  malformedOut: 0,
};
const errorsByKind = new Map<string, number>();
let nextAddress = 0;
const PROBE_ID = 'fuzz-probe';
const PROBE = `${JSON.stringify({ id: PROBE_ID, method: 'mining.get_transactions', params: [] })}\n`;

function localAddress(): string {
  const n = nextAddress++;
  return `127.${2 + ((n >> 16) % 250)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

function errorKind(error: unknown): string {
  // The Ethash refusal answers in JSON-RPC 2.0 form ({code, message}), as Ethash miners expect.
  if (!Array.isArray(error)) return `object error ${JSON.stringify(error).split(':').slice(0, 3).join(':').slice(0, 60)}`;
  const message = String(error[1]);
  // The reason without the echoed value (which is the fuzzer's random text).
  const head = message
    .split(/[:('"]/)[0]!
    .replace(/\d+/g, 'N')
    .trim()
    .slice(0, 70);
  return `${error[0]} ${head}`;
}

const currentJobId = (): string => backend.currentJob()?.id ?? '1';
const protocolArb = protocolMessage(currentJobId);
/** Junk connections reuse a small set of addresses, so junk accumulates per address and bans happen. */
const JUNK_ADDRESSES = 16;

async function fuzzOne(batchSeed: number, lines: number): Promise<void> {
  const junk = batchSeed % 5 === 0;
  const batch = fc.sample(junk ? message : protocolArb, { numRuns: lines, seed: batchSeed });
  const payload = Buffer.concat(junk ? batch : [HANDSHAKE, ...batch]);
  totals.connections++;
  if (junk) totals.junkConnections++;
  await new Promise<void>((resolve) => {
    const from = junk ? `127.1.0.${1 + (Math.floor(batchSeed / 5) % JUNK_ADDRESSES)}` : localAddress();
    const socket = connect({ port, host: '127.0.0.1', localAddress: from });
    let buffer = '';
    let received = false;
    let byFuzzer = false;
    let connected = false;
    const finish = (): void => {
      byFuzzer = true;
      socket.destroy();
    };
    // The batch ends with a probe request: once its answer is in, every line before it was handled (answers to
    // submits and authorizes may trail by a backend round trip, hence the short grace).
    const hardStop = setTimeout(finish, 10_000);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      totals.sent += batch.length;
      totals.bytes += payload.length;
      socket.write(payload);
      socket.write(PROBE);
    });
    socket.on('data', (chunk: string) => {
      received = true;
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let msg: { method?: unknown; error?: unknown; result?: unknown };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          totals.malformedOut++;
          continue;
        }
        if (typeof msg.method === 'string') totals.notifications++;
        else if ((msg as { id?: unknown }).id === PROBE_ID) setTimeout(finish, 100);
        else {
          totals.replies++;
          if (!('result' in msg) || !('error' in msg)) totals.malformedOut++;
          if (msg.error !== null && msg.error !== undefined) count(errorsByKind, errorKind(msg.error));
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(hardStop);
      if (byFuzzer) totals.closedByFuzzer++;
      else if (!received || !connected) totals.refused++;
      else totals.closedByServer++;
      resolve();
    });
  });
}

printMachine('Stratum fuzz: generated messages against a live server');
console.log(`messages ≤ ${fmtInt(maxMessages)}, ≤ ${maxSeconds} s, ${concurrency} connections at a time, ${batchSize} messages each, seed ${seed}`);
const t0 = performance.now();
const deadline = t0 + maxSeconds * 1000;
let planned = 0;
let batchNumber = 0;
let lastReport = t0;
async function worker(): Promise<void> {
  while (planned < maxMessages && performance.now() < deadline) {
    const lines = Math.min(batchSize, maxMessages - planned);
    planned += lines;
    await fuzzOne(seed + batchNumber++, lines);
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      console.log(`  … ${fmtInt(totals.sent)} messages, ${fmtInt(totals.connections)} connections, ${fmt((lastReport - t0) / 1000, 0)} s`);
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, () => worker()));
const elapsed = (performance.now() - t0) / 1000;

// The clean miner is still served after the storm: one more share, answered.
await new Promise((r) => setTimeout(r, 500));
clearInterval(cleanTimer);
await new Promise((r) => setTimeout(r, 500));
const mem = process.memoryUsage();

console.log(`\nran ${fmt(elapsed, 1)} s: ${fmtInt(totals.sent)} messages sent (${mib(totals.bytes)}) on ${fmtInt(totals.connections)} connections`);
console.log(
  `(${fmtInt(totals.junkConnections)} junk connections from ${JUNK_ADDRESSES} addresses, the others from their own address after subscribe + authorize)`,
);
console.log(
  `replies ${fmtInt(totals.replies)}, notifications ${fmtInt(totals.notifications)}, malformed lines from the server ${totals.malformedOut}`,
);
console.log(
  `connections: closed by the server ${fmtInt(totals.closedByServer)}, by the fuzzer (idle/done) ${fmtInt(totals.closedByFuzzer)}, refused at accept ${fmtInt(totals.refused)}`,
);
console.log(`bans in force at the end ${fmtInt(bans.list().length)}; uncaught exceptions ${uncaught}, unhandled rejections ${unhandled}`);
console.log('\nerror replies by code and reason:');
for (const [k, v] of [...errorsByKind].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${fmtInt(v).padStart(10)}  ${k}`);
console.log('\nserver log events:');
for (const [k, v] of [...serverEvents].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${fmtInt(v).padStart(10)}  ${k}`);
const lat = summarize(clean.latencies);
console.log(
  `\nclean miner: ${clean.submits} submits, ${clean.accepted} accepted, ${clean.refused.length} refused${clean.refused.length ? ` (${clean.refused.slice(0, 3).join(', ')})` : ''}, connection ${clean.closed ? 'CLOSED' : 'open'}; latency p50 ${fmt(lat.p50)} ms, p99 ${fmt(lat.p99)} ms, max ${fmt(lat.max)} ms`,
);
console.log(`server process: rss ${mib(mem.rss)}, heap ${mib(mem.heapUsed)}; live sessions ${server.sessions().length}`);
cleanSocket.destroy();
await server.close();
bans.close();
const ok =
  uncaught === 0 && unhandled === 0 && !clean.closed && clean.refused.length === 0 && clean.accepted === clean.submits && totals.malformedOut === 0;
console.log(ok ? '\nOK: no crash, every reply well-formed, the clean miner served throughout' : '\nFAILED (see above)');
process.exit(ok ? 0 : 1);
