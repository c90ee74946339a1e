import { describe, expect, it } from 'vitest';
import { assembleBlock } from '../../../src/chains/bitcoin/block.js';
import { coinbaseForBlock, coinbaseWithoutWitness } from '../../../src/chains/bitcoin/coinbase.js';
import { parseTx } from '../../../src/chains/bitcoin/tx.js';
import { hashHeader } from '../../../src/core/header.js';
import { merkleRootFromBranch } from '../../../src/core/merkle.js';
import { sha256d } from '../../../src/core/hash.js';
import { readVarInt, reverseHex } from '../../../src/core/bytes.js';
import { recordedWork, rejects, solutionFor, type RecordedBlock } from './fixtures.js';

const cases: Array<[string, 'template_T2' | 'template_T3', RecordedBlock]> = [
  ['accepted_block', 'template_T2', rejects.accepted_block],
  ['stale_sibling', 'template_T2', rejects.stale_sibling],
  ['valid_proposal', 'template_T3', rejects.valid_proposal],
];

describe('rebuilding recorded blocks byte for byte', () => {
  for (const [name, template, rec] of cases) {
    describe(name, () => {
      const work = recordedWork(template);
      const extranonce = Buffer.from(rec.coinbase.extranonce, 'hex');

      it('Stratum split: coinb1 / coinb2 match and coinb1 ‖ extranonce ‖ coinb2 is the non-witness coinbase', () => {
        expect(work.coinb1.toString('hex')).toBe(rec.coinbase.coinb1);
        expect(work.coinb2.toString('hex')).toBe(rec.coinbase.coinb2);
        expect(coinbaseWithoutWitness(work.coinbase, extranonce).toString('hex')).toBe(rec.coinbase.hex_without_witness);
        expect(coinbaseForBlock(work.coinbase, extranonce).toString('hex')).toBe(rec.coinbase.hex_with_witness);
      });

      it('coinbase scriptSig, txid and wtxid', () => {
        const { tx } = parseTx(coinbaseForBlock(work.coinbase, extranonce));
        expect(tx.inputs[0]!.scriptSig.toString('hex')).toBe(rec.coinbase.script_sig_hex);
        expect(tx.inputs[0]!.witness.map((w) => w.toString('hex'))).toEqual(['00'.repeat(32)]);
        expect(reverseHex(sha256d(coinbaseWithoutWitness(work.coinbase, extranonce)).toString('hex'))).toBe(rec.coinbase.txid);
        expect(reverseHex(sha256d(coinbaseForBlock(work.coinbase, extranonce)).toString('hex'))).toBe(rec.coinbase.wtxid);
      });

      it('merkle root via the Stratum branch', () => {
        if (rec.merkle_branch_internal_hex) {
          expect(work.merkleBranch.map((b) => b.toString('hex'))).toEqual(rec.merkle_branch_internal_hex);
        }
        const root = merkleRootFromBranch(Buffer.from(rec.coinbase.txid, 'hex').reverse(), work.merkleBranch);
        expect(reverseHex(root.toString('hex'))).toBe(rec.merkle_root);
      });

      it('assembles block_hex exactly, with the recorded header and hash', () => {
        const solution = solutionFor(work, extranonce, rec.nonce);
        expect(solution.header.toString('hex')).toBe(rec.header_hex);
        const built = assembleBlock(work, solution);
        expect(built).toMatchObject({ ok: true, blockHash: rec.block_hash, coinbaseTxid: rec.coinbase.txid });
        expect(built.ok && built.hex).toBe(rec.block_hex);
      });
    });
  }

  it('the version-rolled proposal (template version | 0x1fffe000) is rebuilt exactly', () => {
    const v = rejects.version_rolled_proposal;
    const work = recordedWork('template_T3');
    const header = Buffer.from(v.block_hex.slice(0, 160), 'hex');
    const solution = solutionFor(work, Buffer.from('0000000400000014', 'hex'), header.readUInt32LE(76), { version: v.version });
    expect((work.version | 0x1fffe000) >>> 0).toBe(v.version);
    const built = assembleBlock(work, solution);
    expect(built.ok && built.hex).toBe(v.block_hex);
    expect(built.blockHash).toBe(v.block_hash);
  });

  it('always includes the witness reserved value (the block Core stored, not the lenient one submitted)', () => {
    const w = rejects.witness_reserved_value_missing;
    const work = recordedWork('template_T3');
    const header = Buffer.from(w.header_hex, 'hex');
    const built = assembleBlock(work, solutionFor(work, Buffer.from('0000000400000015', 'hex'), header.readUInt32LE(76)));
    expect(built.ok && built.hex).toBe(w.stored_block_hex);
    expect(built.ok && built.hex).not.toBe(w.block_hex);
  });
});

/** Extranonce the recorder put in a block's coinbase (height push, 08, 8 bytes, tag). */
function recordedExtranonce(blockHex: string): Buffer {
  const block = Buffer.from(blockHex, 'hex');
  const { tx } = parseTx(block, 80 + readVarInt(block, 80).size);
  const ss = tx.inputs[0]!.scriptSig;
  const heightLen = ss[0]! < 0x4c ? ss[0]! + 1 : 1;
  return ss[heightLen] === 8 ? ss.subarray(heightLen + 1, heightLen + 9) : Buffer.alloc(8);
}

describe('recorded rejects: the pool refuses what it can detect, and rebuilds the rest exactly', () => {
  const work = recordedWork('template_T3');
  const refusedBeforeSubmit: Record<string, RegExp> = {
    'bad-merkle-root': /merkle root does not match/,
    'merkle-root-from-wtxids': /merkle root does not match/,
    'high-hash': /^high-hash: block hash b98b743e.* is above the network target 7fffff/,
    'bits-not-expected': /bits differ/,
    'bits-above-powlimit': /bits differ/,
    'bip34-height-minus-one': /merkle root does not match/,
    'bip34-height-missing': /merkle root does not match/,
    'bip34-height-non-minimal': /merkle root does not match/,
    'prevhash-unknown': /previous-block hash/,
    'prevhash-byte-order': /previous-block hash/,
    'coinbase-overpays-by-1-sat': /merkle root does not match/,
    'coinbase-keeps-fees-of-dropped-txs': /merkle root does not match/,
    'witness-commitment-missing': /merkle root does not match/,
    'witness-commitment-from-txids': /merkle root does not match/,
    'witness-commitment-no-reserved-value-sha': /merkle root does not match/,
    'coinbase-scriptsig-too-long': /merkle root does not match/,
    'child-before-parent': /merkle root does not match/,
    'no-coinbase': /merkle root does not match/,
  };
  // Header time and version are checked by the share pipeline (ntime window, version mask), not by assembly.
  const rebuiltExactly = ['time-too-old', 'time-too-new', 'version-1'];

  for (const rej of rejects.rejects) {
    if (rej.header_hex === null || !/^[0-9a-f]{160}/.test(rej.block_hex)) continue;
    it(`${rej.name} (node: ${rej.node_answer})`, () => {
      const header = Buffer.from(rej.block_hex.slice(0, 160), 'hex');
      const extranonce = recordedExtranonce(rej.block_hex);
      const solution = {
        extranonce1: extranonce.subarray(0, 4),
        extranonce2: extranonce.subarray(4),
        ntime: header.readUInt32LE(68),
        nonce: header.readUInt32LE(76),
        version: header.readUInt32LE(0),
        header,
        hashDisplay: hashHeader(header).displayHex,
      };
      const built = assembleBlock(work, solution);
      if (rebuiltExactly.includes(rej.name)) {
        expect(built.ok && built.hex).toBe(rej.block_hex);
      } else {
        const pattern = refusedBeforeSubmit[rej.name];
        expect(pattern, `no expectation for ${rej.name}`).toBeDefined();
        expect(built.ok).toBe(false);
        expect(!built.ok && built.reason).toMatch(pattern!);
      }
    });
  }

  it('refuses malformed solutions with a reason instead of throwing', () => {
    const good = solutionFor(work, Buffer.from('0000000300000000', 'hex'), 0);
    expect(assembleBlock(work, { ...good, header: good.header.subarray(0, 79) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/79 bytes/),
    });
    expect(assembleBlock(work, { ...good, extranonce2: Buffer.alloc(3) })).toMatchObject({ ok: false, reason: expect.stringMatching(/7 bytes/) });
    expect(assembleBlock(work, { ...good, hashDisplay: '00'.repeat(32) })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not match/),
    });
    expect(assembleBlock(work, { ...good, nonce: 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/nonce differs/) });
    expect(assembleBlock(work, { ...good, ntime: good.ntime + 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/time differs/) });
    expect(assembleBlock(work, { ...good, version: 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/version differs/) });
    expect(assembleBlock(work, good).ok).toBe(true);
  });
});
