/**
 * Node faults, end to end: the real pool process (the CLI) talks to a devnet through the fault proxy, a real
 * Stratum V1 miner is connected, and the node turns slow, hangs, flaps, answers garbage, an HTML 502 page or
 * valid JSON-RPC of nonsense shapes. During each fault the devnet mines a block behind the pool's back, so that
 * any job built from a bad answer would show: the miner stays connected and gets no new job, the pool writes one
 * precise line naming the cause (sampled, not one per poll), shares keep their replies, and once the node answers
 * again a clean job on the devnet's real tip arrives within a second (measured and printed). Both node dialects.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prevHashFromStratum } from '../../src/core/header.js';
import { startDevnet } from '../../src/devnet/index.js';
import { startGxcDevnet } from '../../src/devnet/gxc/index.js';
import { createRpcClient, type HttpRpcClient } from '../../src/rpc/client.js';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../helpers/fault-proxy.js';
import { freePort, regtestAddress, until } from './fixtures/env.js';
import { startPoolChild, type PoolChild } from './fixtures/pool-child.js';
import { RawMiner, type KnownJob } from './fixtures/raw-miner.js';

const GXC_ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';
/** How long each fault lasts before the devnet mines, and after it. */
const SETTLE_MS = 1_200;
const NODE_TIMEOUT_MS = 4_000;

interface LogLine {
  event?: string;
  err?: string;
  msg?: string;
  what?: string;
}

function jobTip(job: KnownJob): string {
  return Buffer.from(prevHashFromStratum(job.job.prevHash)).reverse().toString('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['bitcoin', 'gxc'] as const)('node faults (%s node)', (flavor) => {
  let dir: string;
  let stopDevnet: () => Promise<void>;
  let node: HttpRpcClient;
  let proxy: FaultProxy;
  let child: PoolChild;
  let miner: RawMiner;
  const minerAddress = flavor === 'gxc' ? GXC_ADDRESS : regtestAddress('fault miner');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-faults-'));
    let url: string;
    if (flavor === 'gxc') {
      const devnet = await startGxcDevnet({ difficulty: 4, dataDir: path.join(dir, 'node') });
      url = devnet.url;
      stopDevnet = () => devnet.stop();
    } else {
      // ~65,000 hashes a block: the devnet mines one in a fraction of a second, shares (1e-7) are never blocks.
      const devnet = await startDevnet({ bits: '1f00ffff', autoTransactions: 0 });
      url = devnet.url;
      stopDevnet = () => devnet.stop();
    }
    node = createRpcClient({ url, jsonrpc: flavor === 'gxc' ? '2.0' : '1.0' });
    proxy = await startFaultProxy(url);
    const configFile = path.join(dir, 'pool.json');
    fs.writeFileSync(configFile, JSON.stringify({ node: { timeoutMs: NODE_TIMEOUT_MS } }));
    const chainArgs =
      flavor === 'gxc'
        ? ['--chain', 'gxc', '--pool-address', GXC_ADDRESS]
        : ['--chain', 'bitcoin', '--network', 'regtest', '--pool-address', regtestAddress('fault pool')];
    const [stratumPort, webPort] = [await freePort(), await freePort()];
    child = await startPoolChild([
      ...['--config', configFile, '--node-url', proxy.url, ...chainArgs, '--pool', 'asic', '--data-dir', path.join(dir, 'pool')],
      ...['--difficulty', '1e-7', '--stratum-host', '127.0.0.1', '--stratum-port', String(stratumPort)],
      ...['--web-host', '127.0.0.1', '--web-port', String(webPort)],
    ]);
    miner = await RawMiner.open(child.stratumPort, `${minerAddress}.rig`);
  }, 90_000);

  afterAll(async () => {
    miner?.close();
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGTERM');
      const exit = await Promise.race([child.exited, sleep(10_000).then(() => null)]);
      if (exit === null) child.process.kill('SIGKILL');
    }
    await proxy?.close();
    node?.close();
    await stopDevnet?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function logLinesFrom(offset: number): LogLine[] {
    return child
      .output()
      .slice(offset)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  }

  async function mineBehindThePool(): Promise<string> {
    if (flavor === 'gxc') await node.call('generatetoaddress', [1, GXC_ADDRESS]);
    else await node.call('generatetoaddress', [1, regtestAddress('someone else')]);
    return node.call<string>('getbestblockhash');
  }

  /**
   * Runs one fault: `mode` for SETTLE_MS, a block mined on the devnet, SETTLE_MS more, then back to pass. Returns
   * what the miner and the log saw, and how long after the node's return the job on the new tip arrived.
   */
  async function fault(
    mode: FaultMode,
    during?: () => Promise<void>,
  ): Promise<{ jobsDuring: KnownJob[]; failures: LogLine[]; recoveryMs: number; tip: string; requests: number }> {
    const logOffset = child.output().length;
    const jobsBefore = new Set(miner.jobs.keys());
    const requestsBefore = proxy.requests.length;
    proxy.setMode(mode);
    await sleep(SETTLE_MS);
    const tip = await mineBehindThePool();
    if (during) await during();
    await sleep(SETTLE_MS);
    const jobsDuring = [...miner.jobs.entries()].filter(([id]) => !jobsBefore.has(id)).map(([, j]) => j);
    const requests = proxy.requests.length - requestsBefore;
    expect(miner.closed).toBe(false);
    proxy.setMode({ kind: 'pass' });
    const back = Date.now();
    const job = await miner.waitForJob((j) => jobTip(j) === tip, 5_000, `a job on the new tip ${tip}`);
    const recoveryMs = jobsDuring.includes(job) ? 0 : Date.now() - back;
    expect(job.clean).toBe(true);
    const failures = logLinesFrom(logOffset).filter((l) => l.event === 'node_unavailable');
    return { jobsDuring, failures, recoveryMs, tip, requests };
  }

  function report(mode: string, r: { recoveryMs: number; failures: LogLine[]; requests: number }): void {
    console.log(
      `[${flavor}] ${mode}: ${r.requests} node requests faulted, ${r.failures.length} failure line(s), new job ${r.recoveryMs} ms after the node answered again`,
    );
  }

  it('a slow node (answers after 3 s) does not delay share replies', async () => {
    const latencies: number[] = [];
    const r = await fault({ kind: 'delay', ms: 3_000 }, async () => {
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const outcome = await miner.submit('share');
        latencies.push(Date.now() - started);
        expect(outcome.error).toBeNull();
      }
    });
    console.log(`[${flavor}] share replies while the node takes 3 s: ${latencies.join(', ')} ms (includes the miner's own search)`);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    expect(r.failures).toEqual([]);
    report('slow', r);
  }, 30_000);

  it.each([
    ['down (connections dropped)', { kind: 'drop' } as FaultMode, /ECONNRESET|socket hang up|connection .*(reset|closed)/i],
    ['answering garbage bytes', { kind: 'garbage' } as FaultMode, /parse|HPE_|invalid|malformed|response/i],
    ['answering an HTML 502 page', { kind: 'html502' } as FaultMode, /HTTP 502 with non-JSON body: "<html> <head><title>502 Bad Gateway/],
    ['answering nonsense result shapes', { kind: 'nonsense' } as FaultMode, /answered|expected|invalid|template/i],
  ])(
    'node %s: miners kept, no job invented, one precise line, back within 1 s',
    async (name, mode, cause) => {
      const r = await fault(mode);
      report(name, r);
      if (r.failures.length > 2) console.log(r.failures.map((l) => `${l.what} | ${l.err}`).join('\n'));
      expect(r.requests).toBeGreaterThan(2);
      expect(r.jobsDuring).toEqual([]);
      expect(r.failures.length).toBeGreaterThanOrEqual(1);
      expect(r.failures.length).toBeLessThanOrEqual(2);
      for (const line of r.failures) expect(line.err).toMatch(cause);
      expect(r.recoveryMs).toBeLessThan(1_000);
    },
    30_000,
  );

  it('a hanging node: no job while it hangs, one timeout line, the held answers resume work within 1 s of its waking', async () => {
    const logOffset = child.output().length;
    // Held past the pool's node timeout and its retries, so that the hang is judged a failure and logged.
    const r = await fault({ kind: 'hang' }, async () => {
      await until(
        'the pool to log the hang',
        4 * NODE_TIMEOUT_MS + 5_000,
        () => logLinesFrom(logOffset).some((l) => l.event === 'node_unavailable'),
        200,
      );
    });
    report('hang', r);
    expect(r.jobsDuring).toEqual([]);
    expect(r.failures.length).toBeGreaterThanOrEqual(1);
    expect(r.failures.length).toBeLessThanOrEqual(2);
    for (const line of r.failures) expect(line.err).toMatch(new RegExp(`no complete reply within ${NODE_TIMEOUT_MS} ms \\(timeout\\)`));
    expect(r.recoveryMs).toBeLessThan(1_000);
  }, 45_000);

  it('a flapping node (down/up every 300 ms): only jobs of real tips, few lines, miners kept', async () => {
    const logOffset = child.output().length;
    const r = await fault({ kind: 'flap', everyMs: 300 });
    report('flapping', r);
    const realTips = new Set<string>([r.tip, await node.call<string>('getblockhash', [(await node.call<number>('getblockcount')) - 1])]);
    for (const job of r.jobsDuring) expect(realTips.has(jobTip(job))).toBe(true);
    // Several down phases, one line per cause (tip poll, template fetch) at most.
    expect(r.failures.length).toBeLessThanOrEqual(2);
    expect(logLinesFrom(logOffset).filter((l) => l.event === 'node_recovered').length).toBeLessThanOrEqual(1);
    expect(r.recoveryMs).toBeLessThan(1_000);
  }, 30_000);

  it('the pool is healthy and still accepts shares after all of it', async () => {
    await until('the pool to report the node healthy', 5_000, async () => {
      const res = await fetch(`http://127.0.0.1:${child.webPort}/api/health`);
      return ((await res.json()) as { ok: boolean }).ok;
    });
    expect((await miner.submit('share')).error).toBeNull();
  }, 15_000);
});
