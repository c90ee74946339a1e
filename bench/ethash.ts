/**
 * Ethash speed: light-cache build time per epoch, light verifications per second per core (WebAssembly kernels and
 * the TypeScript reference), full-dataset mode cold vs warm, dataset fill rate, and the main thread's event-loop
 * lag while a burst of verifications runs through the worker-thread verifier (versus hashing on the main thread).
 *
 *   node bin/run-ts.js bench/ethash.ts [--seconds=3] [--count=3000] [--epochs=0,166] [--burst=400] [--threads=2]
 *
 * Every loop stops at --count operations or --seconds, whichever comes first. Rates are given per wall second and
 * per CPU second of this process (the machine is shared: CPU time is the steadier per-core figure).
 */
import { createEngine, type EthashEngine, SCRATCH_BYTES, wasmAvailable } from '../src/chains/ethash/engine.js';
import { SharedRegions } from '../src/chains/ethash/regions.js';
import { createEthashVerifier } from '../src/chains/ethash/verifier.js';
import { fullDatasetSize, hashimotoLight, HASH_BYTES, lightCacheSize, readyBitmapBytes } from '../src/core/ethash/index.js';
import { argValue, numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { fmt, fmtInt, LoopDelay } from './support/stats.js';

const maxSeconds = numberArg('seconds', 3);
const maxCount = Math.floor(numberArg('count', 3000));
const buildEpochs = (argValue('epochs') ?? '0,166').split(',').map((e) => {
  const epoch = Number(e);
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`--epochs must list epochs (integers >= 0), got '${e}'`);
  return epoch;
});
const burst = Math.floor(numberArg('burst', 400));
const threads = Math.floor(numberArg('threads', 2));

if (!wasmAvailable()) throw new Error('build/ethash.wasm missing: run npm run build:wasm first');
printMachine('ethash');

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs `op(i)` until count or time is reached; returns ops, wall ms and CPU ms. */
function timed(op: (i: number) => void, count = maxCount, seconds = maxSeconds): { ops: number; wallMs: number; cpuMs: number } {
  const wall0 = performance.now();
  const cpu0 = cpuMs();
  let ops = 0;
  while (ops < count && performance.now() - wall0 < seconds * 1000) op(ops++);
  return { ops, wallMs: performance.now() - wall0, cpuMs: cpuMs() - cpu0 };
}
const perSecond = (r: { ops: number; wallMs: number; cpuMs: number }) =>
  `${fmtInt((r.ops * 1000) / r.wallMs)}/s wall, ${fmtInt((r.ops * 1000) / r.cpuMs)}/s CPU`;

const regions = new SharedRegions();
const memory = regions.memory;
const engines: Record<'wasm' | 'typescript', EthashEngine> = {
  wasm: createEngine('wasm', memory, regions.allocate(SCRATCH_BYTES)!),
  typescript: createEngine('typescript', memory, regions.allocate(SCRATCH_BYTES)!),
};
const header = Buffer.from('2a8de2adf89af77358250bf908bf04ba94a6e8c3ba87775564a41d269a05e4ce', 'hex');

// 1. Light-cache build per epoch (one thread).
console.log('\n-- light cache build (one thread)');
const epoch0 = { epoch: 0, offset: regions.allocate(lightCacheSize(0))! };
for (const epoch of buildEpochs) {
  for (const kind of ['wasm', 'typescript'] as const) {
    const cache = epoch === 0 && kind === 'wasm' ? epoch0 : { epoch, offset: regions.allocate(lightCacheSize(epoch))! };
    const w0 = performance.now();
    const c0 = cpuMs();
    engines[kind].buildCache(cache);
    console.log(
      `epoch ${epoch} (${fmt(lightCacheSize(epoch) / 2 ** 20, 1)} MiB) ${kind}: ${fmtInt(performance.now() - w0)} ms wall, ${fmtInt(cpuMs() - c0)} ms CPU`,
    );
    if (cache !== epoch0) regions.release(cache.offset, lightCacheSize(epoch));
  }
}

// 2. Light verifications per core (one thread, epoch 0).
console.log('\n-- light verification, one thread, epoch 0');
for (const kind of ['wasm', 'typescript'] as const) {
  const r = timed((i) => engines[kind].hash(epoch0, null, header, BigInt(i)));
  console.log(`${kind}: ${fmtInt(r.ops)} hashes, ${perSecond(r)}`);
}
const paired = timed(
  (i) => engines.wasm.hashPair(epoch0, { headerHash: header, nonce: BigInt(2 * i) }, { headerHash: header, nonce: BigInt(2 * i + 1) }),
  Math.ceil(maxCount / 2),
);
const pairedHashes = { ...paired, ops: paired.ops * 2 };
console.log(`wasm, two shares hashed together (what a thread does under a burst): ${fmtInt(pairedHashes.ops)} hashes, ${perSecond(pairedHashes)}`);
const lightView = { epoch: 0, numItems: lightCacheSize(0) / HASH_BYTES, words: new Int32Array(memory.buffer, epoch0.offset, lightCacheSize(0) / 4) };
const pure = timed((i) => hashimotoLight(lightView, header, BigInt(i)));
console.log(`core hashimotoLight (same code as the typescript engine, called directly): ${perSecond(pure)}`);

// 3. Full mode: a memoised dataset, cold (pages computed on first use) then warm (same nonces again).
console.log('\n-- full mode (memoised dataset), one thread, epoch 0');
const dataset = {
  epoch: 0,
  pagesOffset: regions.allocate(fullDatasetSize(0))!,
  readyOffset: regions.allocate(readyBitmapBytes(0))!,
  progressOffset: regions.allocate(8)!,
};
const warmCount = Math.min(maxCount, 500);
const cold = timed((i) => engines.wasm.hash(epoch0, dataset, header, BigInt(i)), warmCount, maxSeconds * 4);
console.log(`wasm cold (each hash computes up to 64 new pages): ${fmtInt(cold.ops)} hashes, ${perSecond(cold)}`);
const warmOps = cold.ops;
const warm = timed((i) => engines.wasm.hash(epoch0, dataset, header, BigInt(i % warmOps)), maxCount * 100, maxSeconds);
console.log(`wasm warm (the same ${fmtInt(warmOps)} nonces again: every page memoised): ${fmtInt(warm.ops)} hashes, ${perSecond(warm)}`);
const tsWarm = timed((i) => engines.typescript.hash(epoch0, dataset, header, BigInt(i % warmOps)), maxCount * 100, maxSeconds);
console.log(`typescript warm (same memoised pages): ${fmtInt(tsWarm.ops)} hashes, ${perSecond(tsWarm)}`);
const fillStart = new Int32Array(memory.buffer, dataset.progressOffset, 2)[1]!;
const fill = timed(() => engines.wasm.fill(epoch0, dataset, 64), 1_000_000, maxSeconds);
const filled = new Int32Array(memory.buffer, dataset.progressOffset, 2)[1]! - fillStart;
const pagesTotal = fullDatasetSize(0) / 128;
const fillRate = (filled * 1000) / fill.cpuMs;
console.log(
  `wasm background fill: ${fmtInt(filled)} pages in ${fmtInt(fill.wallMs)} ms (${fmtInt(fillRate)} pages per CPU second); ` +
    `the whole epoch-0 dataset (${fmtInt(pagesTotal)} pages) ≈ ${fmtInt(pagesTotal / fillRate)} CPU seconds`,
);

// 4. Event-loop lag of the main thread while a burst of verifications runs (worker threads vs inline).
console.log(`\n-- main-thread event-loop lag during a burst of ${burst} light verifications`);
const lag = new LoopDelay();
lag.start();
await new Promise((r) => setTimeout(r, 1000));
const idle = lag.stop();
console.log(`idle baseline: p50 ${fmt(idle.p50Ms)} ms, p99 ${fmt(idle.p99Ms)} ms, max ${fmt(idle.maxMs)} ms`);
const verifier = createEthashVerifier({ threads, maxQueued: burst + 1 });
await verifier.prepare(0);
lag.start();
const w0 = performance.now();
await Promise.all(Array.from({ length: burst }, (_, i) => verifier.hash({ blockNumber: 0, headerHash: header, nonce: BigInt(i) })));
const burstMs = performance.now() - w0;
const during = lag.stop();
console.log(
  `verifier (${threads} worker threads, ${verifier.stats().engine}): ${fmtInt((burst * 1000) / burstMs)} hashes/s; ` +
    `lag p50 ${fmt(during.p50Ms)} ms, p99 ${fmt(during.p99Ms)} ms, max ${fmt(during.maxMs)} ms`,
);
await verifier.close();
lag.start();
const inlineCount = Math.min(burst, 100);
for (let i = 0; i < inlineCount; i++) {
  engines.wasm.hash(epoch0, null, header, BigInt(i));
  // Yield so the lag timer can fire between hashes: the lag measured is one hash's blocking time.
  await new Promise((r) => setImmediate(r));
}
const inline = lag.stop();
console.log(
  `for contrast, ${inlineCount} hashes inline on the main thread: lag p50 ${fmt(inline.p50Ms)} ms, p99 ${fmt(inline.p99Ms)} ms, max ${fmt(inline.maxMs)} ms`,
);
