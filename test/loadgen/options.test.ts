import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/loadgen/histogram.js';
import { isLoopbackHost, parseLoadgenOptions, sourceAddress, splitSessions } from '../../src/loadgen/options.js';
import { parseStatCpuTicks, parseStatusRssBytes } from '../../src/loadgen/proc.js';
import { grindShare, meetsTarget, nbitsTargetBytes, shareTargetBytes } from '../../src/loadgen/shares.js';
import { sha256d } from '../../src/core/hash.js';
import { parseNotify } from '../../src/miner/work.js';

describe('bench-stratum options', () => {
  const base = { url: 'stratum+tcp://127.0.0.1:3333', user: 'addr.w{i}' };

  it('reads every flag and fills defaults', () => {
    const o = parseLoadgenOptions({ ...base, sessions: '12000', mode: 'rate', rate: '5000', shares: 'grind', serverPid: '42', fanoutBlock: true });
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 3333,
      sessions: 12000,
      processes: 3,
      mode: 'rate',
      rate: 5000,
      shares: 'grind',
      serverPid: 42,
      fanoutBlock: true,
    });
    expect(parseLoadgenOptions(base)).toMatchObject({ sessions: 100, processes: 1, mode: 'closed', shares: 'random', inflight: 1, perAddress: 200 });
    expect(parseLoadgenOptions(base).acceptedLog).toBeUndefined();
    expect(parseLoadgenOptions({ ...base, acceptedLog: '/tmp/acked' }).acceptedLog).toBe('/tmp/acked');
    expect(() => parseLoadgenOptions({ ...base, acceptedLog: ' ' })).toThrow(/--accepted-log: expected a file path, got " "/);
  });

  it('refuses non-loopback targets and bad numbers with the flag named', () => {
    expect(() => parseLoadgenOptions({ ...base, url: 'stratum+tcp://10.0.0.1:3333' })).toThrow(/only loopback/);
    expect(() => parseLoadgenOptions({ ...base, sessions: '0' })).toThrow(/--sessions: expected an integer in 1\.\.200000, got "0"/);
    expect(() => parseLoadgenOptions({ ...base, mode: 'fast' })).toThrow(/--mode: expected one of idle \| rate \| closed/);
    expect(() => parseLoadgenOptions({ ...base, sessions: '2', processes: '3' })).toThrow(/cannot exceed/);
    expect(() => parseLoadgenOptions({ url: base.url })).toThrow(/--user is required/);
    expect(isLoopbackHost('127.3.2.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('spreads sessions over source addresses and processes', () => {
    expect(sourceAddress(0, 200, '127.0.0.1')).toBe('127.10.0.1');
    expect(sourceAddress(199, 200, '127.0.0.1')).toBe('127.10.0.1');
    expect(sourceAddress(200, 200, '127.0.0.1')).toBe('127.10.0.2');
    expect(sourceAddress(255 * 200, 200, '127.0.0.1')).toBe('127.10.1.0');
    const parts = splitSessions(10, 3);
    expect(parts).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
  });
});

describe('latency histogram', () => {
  it('gives percentiles within 1 % and merges across processes', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) (i % 2 === 0 ? a : b).record(i / 10);
    const all = new LatencyHistogram();
    all.merge(a.toWire());
    all.merge(b.toWire());
    const s = all.summary();
    expect(s.count).toBe(1000);
    expect(s.max).toBe(100);
    expect(s.p50).toBeGreaterThanOrEqual(50);
    expect(s.p50).toBeLessThanOrEqual(50 * 1.01);
    expect(s.p99).toBeGreaterThanOrEqual(99);
    expect(s.p99).toBeLessThanOrEqual(99 * 1.01);
    expect(new LatencyHistogram().percentile(50)).toBeNaN();
  });
});

describe('/proc parsing', () => {
  it('reads utime, stime and threads after a command name with spaces and parentheses', () => {
    const stat = '1234 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 111 222 13 14 15 16 7 18 19 20';
    expect(parseStatCpuTicks(stat)).toEqual({ utime: 111, stime: 222, threads: 7 });
    expect(parseStatusRssBytes('Name:\tnode\nVmRSS:\t  123456 kB\n')).toBe(123456 * 1024);
    expect(() => parseStatusRssBytes('Name: x\n')).toThrow(/VmRSS/);
  });
});

describe('shares the load generator makes', () => {
  const notify = [
    'job1',
    '00'.repeat(32),
    '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff',
    'ffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000',
    [],
    '20000000',
    '207fffff',
    '6553f100',
    true,
  ];

  it('grinds a share whose header really meets the announced target', () => {
    const job = parseNotify(notify);
    const extranonce1 = Buffer.from('aabbccdd', 'hex');
    const target = shareTargetBytes(1e-7);
    const found = grindShare(job, extranonce1, 4, 5, target, 1_000_000);
    if (!found.ok) throw new Error('no share found');
    const coinbase = Buffer.concat([job.coinb1, extranonce1, Buffer.from(found.fields.extranonce2, 'hex'), job.coinb2]);
    const header = Buffer.alloc(80);
    header.writeUInt32LE(job.version, 0);
    job.prevHash.copy(header, 4);
    sha256d(coinbase).copy(header, 36);
    header.writeUInt32LE(job.ntime, 68);
    header.writeUInt32LE(job.nbits, 72);
    header.writeUInt32LE(parseInt(found.fields.nonce, 16), 76);
    expect(found.fields.extranonce2).toBe('00000005');
    expect(meetsTarget(sha256d(header), target)).toBe(true);
    // The hash the accepted-share log records is the pool's display form: the digest reversed.
    expect(found.hashDisplay).toBe(Buffer.from(sha256d(header)).reverse().toString('hex'));
    // One nonce earlier does not meet it (the search stops at the first hit).
    if (found.hashes > 1) {
      header.writeUInt32LE(parseInt(found.fields.nonce, 16) - 1, 76);
      expect(meetsTarget(sha256d(header), target)).toBe(false);
    }
  });

  it('reports a target too hard for the hash bound instead of hanging', () => {
    const job = parseNotify(notify);
    const found = grindShare(job, Buffer.alloc(4), 4, 0, nbitsTargetBytes(0x1d00ffff), 100);
    expect(found).toEqual({ ok: false, hashes: 100 });
    expect(nbitsTargetBytes(0x1d00ffff).toString('hex')).toBe(`00000000ffff${'00'.repeat(26)}`);
  });
});

describe('clean jobs a client process tracks', () => {
  it('counts sessions per job with first and last arrival, and drops single-session re-issues before broadcasts', async () => {
    const { CleanJobTracker } = await import('../../src/loadgen/clean-jobs.js');
    const tracker = new CleanJobTracker(4);
    tracker.record('broadcast', 10);
    tracker.record('broadcast', 30);
    tracker.record('broadcast', 20);
    for (let i = 0; i < 50; i++) tracker.record(`reissue-${i}`, 100 + i);
    const jobs = tracker.list();
    expect(jobs).toHaveLength(4);
    expect(jobs.find((j) => j.jobId === 'broadcast')).toEqual({ jobId: 'broadcast', sessions: 3, first: 10, last: 30 });
    expect(jobs.map((j) => j.jobId)).toContain('reissue-49');
  });
});
