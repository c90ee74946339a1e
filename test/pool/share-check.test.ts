import { describe, expect, it } from 'vitest';
import { hexToBuf } from '../../src/core/bytes.js';
import { checkShare, type ShareInput } from '../../src/pool/share-check.js';
import { StratumErrorCode } from '../../src/stratum/types.js';
import { recordedBlock, regtestWork } from './helpers/regtest-work.js';

const t = regtestWork;
const a = recordedBlock;
// The recorded header's time field (bytes 68..72, little-endian).
const headerTime = hexToBuf(a.header_hex).readUInt32LE(68);
const work = regtestWork;

// The recorded extranonce is 8 bytes: split as a 4-byte extranonce1 and a 4-byte extranonce2.
const en = a.coinbase.extranonce;
const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

function input(over: Partial<ShareInput> = {}, req: Partial<ShareInput['req']> = {}): ShareInput {
  return {
    work,
    req: { workerName: 'w', jobId: '1', extranonce2: en.slice(8), ntime: hex8(headerTime), nonce: hex8(a.nonce), ...req },
    extranonce1: hexToBuf(en.slice(0, 8)),
    extranonce2Size: 4,
    versionMask: 0x1fffe000,
    jobDifficulty: 1e-9,
    nowSeconds: headerTime,
    ...over,
  };
}

describe('checkShare against the recorded regtest block', () => {
  it('rebuilds the accepted block header and hash from coinb1/extranonce/coinb2 and the branch', () => {
    const r = checkShare(input());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.solution.header.toString('hex')).toBe(a.header_hex);
    expect(r.solution.hashDisplay).toBe(a.block_hash);
    expect(r.isBlock).toBe(true);
    expect(r.meetsShareTarget).toBe(true);
  });

  it('a different nonce gives a different header hash', () => {
    const r = checkShare(input({}, { nonce: hex8(a.nonce + 1) }));
    expect(r.ok && r.solution.hashDisplay).not.toBe(a.block_hash);
  });

  it('low share difficulty is reported as not meeting the share target', () => {
    // Difficulty 1 needs a hash below 2^224: a regtest hash at bits 207fffff practically never meets it.
    const r = checkShare(input({ jobDifficulty: 1 }));
    expect(r.ok && r.meetsShareTarget).toBe(false);
  });

  it('rejects ntime before mintime and too far ahead', () => {
    const early = checkShare(input({}, { ntime: hex8(t.mintime - 1) }));
    expect(early).toMatchObject({ ok: false, code: StratumErrorCode.Other });
    const late = checkShare(input({}, { ntime: hex8(headerTime + 7001) }));
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.message).toMatch(/future/);
  });

  it('applies rolled version bits within the mask and rejects bits outside it', () => {
    const inMask = checkShare(input({}, { versionBits: '1fffe000' }));
    expect(inMask.ok).toBe(true);
    if (inMask.ok) expect(inMask.solution.version).toBe((t.version | 0x1fffe000) >>> 0);
    const outside = checkShare(input({}, { versionBits: '00000001' }));
    expect(outside.ok).toBe(false);
    if (!outside.ok) expect(outside.message).toMatch(/outside the negotiated mask 1fffe000/);
    const noMask = checkShare(input({ versionMask: 0 }, { versionBits: '00002000' }));
    expect(noMask.ok).toBe(false);
  });

  it('rejects malformed hex fields with precise messages', () => {
    for (const [field, value, pattern] of [
      ['extranonce2', '0000', /extranonce2 must be 8 hex/],
      ['extranonce2', 'zzzzzzzz', /extranonce2 must be 8 hex/],
      ['nonce', '12345', /nonce must be 8 hex/],
      ['ntime', 'x', /ntime must be 8 hex/],
    ] as const) {
      const r = checkShare(input({}, { [field]: value }));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(pattern);
    }
  });
});
