/**
 * Floors for issue 11's "CPU per share decision": what a Stratum responder that does no pool work at all costs per
 * decision on this machine, driven by the same load generator as the pool (reject path: 1,000 sessions, one
 * submit in flight each). `node` is the cheapest Node server (net, 'data' events, JSON.parse, one write per read);
 * `c` is an epoll loop in C (the read + write syscalls on loopback and nothing else). Compare the pool's figure
 * (`bench/socket-workers.ts`, or bench-stratum by hand) with these, measured in the same minutes.
 *
 *   node bin/run-ts.js bench/floor.ts [--impl=node,c] [--sessions=1000] [--seconds=8]
 *
 * Bounded: each responder is killed after its run; the C one is built into a temp dir (skipped without `cc`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBenchStratum } from '../test/helpers/bench-stratum.js';
import { freePort } from '../test/helpers/net.js';
import { argValue, numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const USER = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf.w{i}';
const impls = (argValue('impl') ?? 'node,c').split(',');
const sessions = numberArg('sessions', 1000);
const seconds = numberArg('seconds', 8);

function buildC(dir: string): string | null {
  const out = path.join(dir, 'responder');
  try {
    execFileSync('cc', ['-O2', '-o', out, path.join(here, 'floor/responder.c')], { stdio: 'pipe' });
    return out;
  } catch (err) {
    console.log(`c: skipped (no working C compiler: ${(err as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** Starts a responder and resolves once it printed `listening PID`. */
function startResponder(command: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start listening within 15 s`));
    }, 15_000);
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      if (!text.includes('listening')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before listening`)));
  });
}

async function main(): Promise<void> {
  printMachine('floor: a Stratum responder with no pool work, reject path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-floor-'));
  try {
    for (const impl of impls) {
      const port = await freePort();
      let responder: ChildProcess;
      if (impl === 'node') responder = await startResponder(process.execPath, ['bin/run-ts.js', 'bench/floor/responder.ts', String(port)]);
      else if (impl === 'c') {
        const binary = buildC(dir);
        if (binary === null) continue;
        responder = await startResponder(binary, [String(port)]);
      } else throw new Error(`--impl: expected node or c, got '${impl}'`);
      try {
        const run = await runBenchStratum(
          ['--url', `stratum+tcp://127.0.0.1:${port}`, '--user', USER, '--sessions', String(sessions), '--processes', '2']
            .concat(['--mode', 'closed', '--shares', 'random', '--seconds', String(seconds), '--settle-seconds', '1'])
            .concat(['--server-pid', String(responder.pid)]),
          (seconds + 60) * 1000,
        );
        const r = run.report;
        if (r === null || r.server === null) throw new Error(`bench-stratum gave no report: ${run.stderr.slice(-400)}`);
        const l = r.load.latencyMs;
        console.log(
          `${impl.padEnd(4)} decisions/s=${Math.round(r.load.repliesPerSecond)}  server µs/decision=${r.server.cpuPerReplyMicros.toFixed(1)}` +
            `  server cores=${r.server.loadCores.toFixed(2)}  p50=${l.p50.toFixed(1)}ms p99=${l.p99.toFixed(1)}ms  held=${r.sessions.held}/${sessions}`,
        );
      } finally {
        responder.kill('SIGKILL');
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
