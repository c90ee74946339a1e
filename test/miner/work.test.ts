import { describe, expect, it } from 'vitest';
import { sha256d } from '../../src/core/hash.js';
import { parseStratumUrl } from '../../src/miner/endpoint.js';
import { buildHeader, digestMeetsTarget, parseNotify, popcount, spreadOverMask, targetToBytes, WorkAllocator } from '../../src/miner/work.js';
import { recordedJob } from './vector-job.js';

function notifyParams(job: ReturnType<typeof recordedJob>['job'], clean = true): unknown[] {
  return [job.jobId, job.prevhash, job.coinb1, job.coinb2, job.branch, job.version, job.nbits, job.ntime, clean];
}

describe('parseNotify + buildHeader', () => {
  it('rebuilds the header of a block Bitcoin Core accepted (recorded vector) from a mining.notify', () => {
    const vec = recordedJob();
    const job = parseNotify(notifyParams(vec.job));
    const header = buildHeader(job, Buffer.from(vec.extranonce1, 'hex'), Buffer.from(vec.extranonce2, 'hex'), job.version, vec.nonce);
    expect(header.toString('hex')).toBe(vec.headerHex);
    expect(Buffer.from(sha256d(header)).reverse().toString('hex')).toBe(vec.blockHashDisplay);
    expect(Buffer.from(header.subarray(36, 68)).reverse().toString('hex')).toBe(vec.merkleRootDisplay);
    expect(job.clean).toBe(true);
    expect(job.ntimeHex).toBe(vec.job.ntime);
  });

  it('names the bad field of a malformed notify', () => {
    const vec = recordedJob();
    const good = notifyParams(vec.job);
    const bad = (i: number, value: unknown): unknown[] => good.map((v, j) => (j === i ? value : v));
    expect(() => parseNotify(good.slice(0, 5))).toThrow(/expected 9 params/);
    expect(() => parseNotify(bad(1, 'abcd'))).toThrow(/prevhash must be 64 hex chars/);
    expect(() => parseNotify(bad(2, 'xyz'))).toThrow(/coinb1 must be even-length hex/);
    expect(() => parseNotify(bad(4, ['00']))).toThrow(/merkle_branch\[0\] must be 64 hex chars/);
    expect(() => parseNotify(bad(5, '2000000'))).toThrow(/version must be 8 hex chars/);
    expect(() => parseNotify(bad(7, 12345678))).toThrow(/ntime must be 8 hex chars/);
  });
});

describe('WorkAllocator', () => {
  const vec = recordedJob();
  const job = parseNotify(notifyParams(vec.job));
  const en1 = Buffer.from(vec.extranonce1, 'hex');

  it('hands out disjoint nonce slices, then moves extranonce2 on when the nonce space is used up', () => {
    const alloc = new WorkAllocator(job, en1, 2, 0, 100);
    const units = Array.from({ length: 5 }, () => alloc.next(40)!);
    expect(units.map((u) => [u.extranonce2.toString('hex'), u.start, u.count])).toEqual([
      ['0000', 0, 40],
      ['0000', 40, 40],
      ['0000', 80, 20],
      ['0001', 0, 40],
      ['0001', 40, 40],
    ]);
    // Each extranonce2 has its own merkle root, and the header matches one built from scratch.
    expect(units[3]!.header.equals(units[0]!.header)).toBe(false);
    expect(units[3]!.header.equals(buildHeader(job, en1, Buffer.from('0001', 'hex'), job.version))).toBe(true);
  });

  it('rolls masked version bits before extranonce2, starting one step in', () => {
    const mask = 0x00006000; // two bits: steps 1..3
    const alloc = new WorkAllocator(job, en1, 1, mask, 10);
    const seen = Array.from({ length: 4 }, () => {
      const u = alloc.next(10)!;
      return [u.extranonce2.toString('hex'), (u.version >>> 0).toString(16)];
    });
    const base = job.version; // 0x20000000
    expect(seen).toEqual([
      ['00', (base | 0x2000).toString(16)],
      ['00', (base | 0x4000).toString(16)],
      ['00', (base | 0x6000).toString(16)],
      ['01', (base | 0x2000).toString(16)],
    ]);
  });

  it('reports exhaustion when extranonce2 has no more room', () => {
    const alloc = new WorkAllocator(job, en1, 0, 0, 8);
    expect(alloc.next(8)?.count).toBe(8);
    expect(alloc.next(8)).toBeNull();
    expect(alloc.next(8)).toBeNull();
  });

  it('spreads a counter over the mask bits', () => {
    expect(popcount(0x1fffe000)).toBe(16);
    expect(spreadOverMask(1, 0x1fffe000)).toBe(0x00002000);
    expect(spreadOverMask(0xffff, 0x1fffe000)).toBe(0x1fffe000);
    expect(spreadOverMask(0b101, 0b11010)).toBe(0b10010);
  });
});

describe('targets', () => {
  it('compares a digest as a little-endian integer', () => {
    const digest = Buffer.alloc(32);
    digest[31] = 0x01; // most significant byte
    expect(digestMeetsTarget(digest, 1n << 248n)).toBe(true);
    expect(digestMeetsTarget(digest, (1n << 248n) - 1n)).toBe(false);
    expect(targetToBytes(1n << 248n).toString('hex')).toBe('01' + '00'.repeat(31));
  });
});

describe('parseStratumUrl', () => {
  it('accepts stratum+tcp, tcp and bare host:port, and refuses the rest precisely', () => {
    expect(parseStratumUrl('stratum+tcp://127.0.0.1:3333')).toEqual({ host: '127.0.0.1', port: 3333 });
    expect(parseStratumUrl('tcp://pool.example:3333/')).toEqual({ host: 'pool.example', port: 3333 });
    expect(parseStratumUrl('[::1]:3333')).toEqual({ host: '::1', port: 3333 });
    expect(() => parseStratumUrl('stratum+ssl://x:1')).toThrow(/not supported/);
    expect(() => parseStratumUrl('x')).toThrow(/stratum\+tcp:\/\/host:port/);
    expect(() => parseStratumUrl('x:70000')).toThrow(/out of range/);
  });
});
