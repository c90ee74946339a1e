/**
 * Runs every benchmark in sequence with modest bounds (about a minute on 2 busy cores), each in its own
 * process so memory figures and JIT state do not leak from one into the next.
 *
 *   npm run bench        (= node bin/run-ts.js bench/run-all.ts)
 *
 * For longer, steadier figures run a benchmark alone with bigger bounds (see each file's header).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const runTs = path.resolve(here, '../bin/run-ts.js');
/** No benchmark below should need more; past this it is killed and reported as failed. */
const BACKSTOP_MS = 150_000;

const plan: Array<{ file: string; args: string[] }> = [
  { file: 'share-check.ts', args: ['--seconds=1.5', '--count=150000'] },
  { file: 'share-pipeline.ts', args: ['--inflight=1,16,256', '--count=20000', '--seconds=3'] },
  { file: 'store-writer.ts', args: ['--seconds=2', '--half-seconds=2'] },
  { file: 'ethash.ts', args: ['--seconds=2', '--count=2000', '--epochs=0', '--burst=200'] },
  { file: 'api.ts', args: ['--shares=50000', '--seconds=2', '--clients=100'] },
  { file: 'stratum.ts', args: ['--connections=100,1000', '--backend=fast,pool', '--rate=2', '--seconds=3', '--closed-seconds=2', '--broadcasts=5'] },
];

function runOne(file: string, args: string[]): Promise<number | string> {
  return new Promise((resolve) => {
    const child = fork(runTs, [path.join(here, file), ...args], { stdio: 'inherit' });
    const backstop = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`killed after ${BACKSTOP_MS / 1000} s`);
    }, BACKSTOP_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(backstop);
      resolve(code ?? `signal ${signal}`);
    });
  });
}

const started = performance.now();
const outcomes: string[] = [];
for (const { file, args } of plan) {
  console.log(`\n### node bin/run-ts.js bench/${file} ${args.join(' ')}`);
  const t0 = performance.now();
  const result = await runOne(file, args);
  outcomes.push(`bench/${file}: ${result === 0 ? 'ok' : `FAILED (${result})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`\n### summary (${((performance.now() - started) / 1000).toFixed(1)} s)`);
for (const line of outcomes) console.log(line);
if (outcomes.some((l) => l.includes('FAILED'))) process.exitCode = 1;
