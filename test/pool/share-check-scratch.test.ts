/**
 * checkShare reuses per-work scratch buffers (coinbase and header templates): it must give exactly what the
 * straightforward construction gives (concat coinbase, fold, serialize header) for any submit, and a share's
 * solution must not change when the next share on the same work is checked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBuf } from '../../src/core/bytes.js';
import { sha256d } from '../../src/core/hash.js';
import { hashHeader, serializeHeader } from '../../src/core/header.js';
import { merkleRootFromBranch } from '../../src/core/merkle.js';
import { checkShare, type ShareInput } from '../../src/pool/share-check.js';
import { recordedBlock, regtestWork } from './helpers/regtest-work.js';

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const headerTime = hexToBuf(recordedBlock.header_hex).readUInt32LE(68);
const extranonce1 = hexToBuf(recordedBlock.coinbase.extranonce.slice(0, 8));

function input(extranonce2: string, nonce: number, versionBits?: string): ShareInput {
  return {
    work: regtestWork,
    req: { workerName: 'w', jobId: '1', extranonce2, ntime: hex8(headerTime), nonce: hex8(nonce), ...(versionBits ? { versionBits } : {}) },
    extranonce1,
    extranonce2Size: 4,
    versionMask: 0x1fffe000,
    jobDifficulty: 1e-9,
    nowSeconds: headerTime,
  };
}

function reference(extranonce2: string, nonce: number, version: number): { header: string; hash: string } {
  const coinbase = Buffer.concat([regtestWork.coinb1, extranonce1, hexToBuf(extranonce2), regtestWork.coinb2]);
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), regtestWork.merkleBranch);
  const header = serializeHeader({ version, prevHash: regtestWork.prevHashInternal, merkleRoot, time: headerTime, bits: regtestWork.bits, nonce });
  return { header: header.toString('hex'), hash: hashHeader(header).displayHex };
}

describe('checkShare with reused buffers', () => {
  it('matches the straightforward header construction for any extranonce2, nonce and version bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffff }),
        (en2, nonce, roll) => {
          const bits = ((roll << 13) & 0x1fffe000) >>> 0;
          const r = checkShare(input(hex8(en2), nonce, hex8(bits)));
          if (!r.ok) throw new Error(r.message);
          const version = ((regtestWork.version & ~0x1fffe000) | bits) >>> 0;
          const want = reference(hex8(en2), nonce, version);
          expect(r.solution.header.toString('hex')).toBe(want.header);
          expect(r.solution.hashDisplay).toBe(want.hash);
          expect(r.solution.extranonce2.toString('hex')).toBe(hex8(en2));
          expect(r.hashValue).toBe(BigInt(`0x${want.hash}`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps a share's solution intact when the next share on the same work is checked", () => {
    const first = checkShare(input('00000001', 7));
    const snapshot = first.ok ? { header: first.solution.header.toString('hex'), en2: first.solution.extranonce2.toString('hex') } : null;
    const second = checkShare(input('ffffffff', 9));
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok || snapshot === null) return;
    expect(first.solution.header.toString('hex')).toBe(snapshot.header);
    expect(first.solution.extranonce2.toString('hex')).toBe(snapshot.en2);
    expect(second.solution.header.toString('hex')).not.toBe(snapshot.header);
  });
});
