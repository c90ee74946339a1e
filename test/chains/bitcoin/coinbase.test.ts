import { describe, expect, it } from 'vitest';
import { loadVector } from '../../helpers/vectors.js';
import {
  MAX_COINBASE_SCRIPTSIG,
  buildCoinbase,
  coinbaseForBlock,
  coinbaseWithoutWitness,
  witnessCommitmentScript,
} from '../../../src/chains/bitcoin/coinbase.js';
import { parseTx, txidOf, wtxidOf } from '../../../src/chains/bitcoin/tx.js';
import { hexToBuf, reverseHex } from '../../../src/core/bytes.js';
import { POOL_SCRIPT, RECORDED_TAG, rejects } from './fixtures.js';

interface TemplateResult {
  transactions: Array<{ hash: string }>;
  default_witness_commitment: string;
}
const regtest = loadVector<{
  template_with_mempool: { result: TemplateResult };
  template_empty_mempool: { result: TemplateResult; derived: { witness_commitment_script: string } };
  derived: { witness_commitment_script: string };
}>('bitcoin-regtest-templates.json');

const wtxids = (t: TemplateResult): Buffer[] => t.transactions.map((x) => hexToBuf(reverseHex(x.hash)));

describe('witness commitment from wtxids (zero reserved value)', () => {
  const templates: Array<[string, TemplateResult]> = [
    ['template_with_mempool (6 txs)', regtest.template_with_mempool.result],
    ['template_empty_mempool', regtest.template_empty_mempool.result],
    ['template_T2', rejects.template_T2.result as unknown as TemplateResult],
    ['template_T3', rejects.template_T3.result as unknown as TemplateResult],
  ];
  for (const [name, t] of templates) {
    it(`${name}: equals default_witness_commitment`, () => {
      expect(witnessCommitmentScript(wtxids(t)).toString('hex')).toBe(t.default_witness_commitment);
    });
  }
  it('matches the derived scripts', () => {
    expect(witnessCommitmentScript(wtxids(regtest.template_with_mempool.result)).toString('hex')).toBe(regtest.derived.witness_commitment_script);
    expect(witnessCommitmentScript([]).toString('hex')).toBe(regtest.template_empty_mempool.derived.witness_commitment_script);
  });
  it('depends on the reserved value', () => {
    expect(witnessCommitmentScript([], Buffer.alloc(32, 1)).toString('hex')).not.toBe(
      regtest.template_empty_mempool.result.default_witness_commitment,
    );
  });
});

describe('coinbase layout', () => {
  const base = {
    height: 103,
    value: 5_000_006_110n,
    payoutScript: POOL_SCRIPT,
    witnessCommitment: Buffer.from(rejects.template_T2.result.default_witness_commitment as string, 'hex'),
    extranonceSize: 8,
    poolTag: RECORDED_TAG,
  };

  it('reproduces the recorded coinb1/coinb2 and follows conventions.coinbase_layout', () => {
    const parts = buildCoinbase(base);
    expect(parts.coinb1.toString('hex')).toBe(rejects.accepted_block.coinbase.coinb1);
    expect(parts.coinb2.toString('hex')).toBe(rejects.accepted_block.coinbase.coinb2);
    const { tx } = parseTx(coinbaseForBlock(parts, Buffer.from('0000000100000000', 'hex')));
    expect(tx.version).toBe(2);
    expect(tx.locktime).toBe(0);
    expect(tx.inputs).toHaveLength(1);
    expect(tx.inputs[0]!.prevTxid.equals(Buffer.alloc(32))).toBe(true);
    expect(tx.inputs[0]!.prevIndex).toBe(0xffffffff);
    expect(tx.inputs[0]!.sequence).toBe(0xffffffff);
    expect(tx.outputs.map((o) => [o.value, o.scriptPubKey.toString('hex')])).toEqual([
      [5_000_006_110n, rejects.pool_payout.scriptPubKey],
      [0n, rejects.template_T2.result.default_witness_commitment],
    ]);
    expect(rejects.conventions.coinbase_layout).toMatch(/push of an 8-byte extranonce/);
  });

  it('pays the full coinbase value to the pool script', () => {
    const parts = buildCoinbase({ ...base, value: 1_250_000_000n });
    const { tx } = parseTx(coinbaseWithoutWitness(parts, Buffer.alloc(8)));
    expect(tx.outputs[0]!.value).toBe(1_250_000_000n);
  });

  it('without a commitment: one output and no witness (txid == wtxid)', () => {
    const parts = buildCoinbase({ ...base, witnessCommitment: null });
    expect(parts.hasWitness).toBe(false);
    const full = coinbaseForBlock(parts, Buffer.alloc(8));
    expect(full.equals(coinbaseWithoutWitness(parts, Buffer.alloc(8)))).toBe(true);
    const { tx } = parseTx(full);
    expect(tx.outputs).toHaveLength(1);
    expect(txidOf(tx).equals(wtxidOf(tx))).toBe(true);
  });

  it('supports other extranonce sizes and an empty tag', () => {
    for (const size of [1, 4, 12, 16, 32]) {
      const parts = buildCoinbase({ ...base, extranonceSize: size, poolTag: '' });
      const en = Buffer.alloc(size, 0xab);
      const { tx } = parseTx(coinbaseForBlock(parts, en));
      expect(tx.inputs[0]!.scriptSig.toString('hex')).toBe('0167' + size.toString(16).padStart(2, '0') + en.toString('hex'));
    }
  });

  it('BIP34 heights in the scriptSig prefix (OP_n for 1..16)', () => {
    for (const [height, prefix] of [
      [1, '51'],
      [16, '60'],
      [17, '0111'],
      [128, '028000'],
      [840000, '0340d10c'],
    ] as const) {
      const parts = buildCoinbase({ ...base, height });
      const { tx } = parseTx(coinbaseWithoutWitness(parts, Buffer.alloc(8)));
      expect(tx.inputs[0]!.scriptSig.toString('hex').startsWith(prefix + '08')).toBe(true);
    }
  });

  it('refuses a scriptSig over 100 bytes, naming the sizes', () => {
    // 2 (height) + 1 + 8 (extranonce) + 2 (OP_PUSHDATA1 n) + 87 (tag) = 100: allowed; one more byte is not.
    const ok = buildCoinbase({ ...base, poolTag: 'x'.repeat(87) });
    const { tx } = parseTx(coinbaseWithoutWitness(ok, Buffer.alloc(8)));
    expect(tx.inputs[0]!.scriptSig).toHaveLength(MAX_COINBASE_SCRIPTSIG);
    expect(() => buildCoinbase({ ...base, poolTag: 'x'.repeat(88) })).toThrow(/101 bytes \(limit 100\).*88 bytes/);
  });

  it('refuses bad extranonce sizes, values and scripts', () => {
    expect(() => buildCoinbase({ ...base, extranonceSize: 0 })).toThrow(/extranonce size/);
    expect(() => buildCoinbase({ ...base, extranonceSize: 33 })).toThrow(/extranonce size/);
    expect(() => buildCoinbase({ ...base, value: -1n })).toThrow(/out of range/);
    expect(() => buildCoinbase({ ...base, payoutScript: Buffer.alloc(0) })).toThrow(/empty payout script/);
    expect(() => coinbaseWithoutWitness(buildCoinbase(base), Buffer.alloc(7))).toThrow(/7 bytes.*expects 8/);
  });
});
