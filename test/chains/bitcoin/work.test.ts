import { describe, expect, it } from 'vitest';
import { loadVector } from '../../helpers/vectors.js';
import { parseBlockTemplate, segwitActive } from '../../../src/chains/bitcoin/template.js';
import { BitcoinWork } from '../../../src/chains/bitcoin/work.js';
import { hexToBuf, reverseHex } from '../../../src/core/bytes.js';
import { POOL_SCRIPT, rejects } from './fixtures.js';

const regtest = loadVector<{
  template_with_mempool: { result: Record<string, unknown> };
  template_empty_mempool: { result: Record<string, unknown> };
  derived: { merkle_branch_internal_hex: string[] };
}>('bitcoin-regtest-templates.json');

const opts = { payoutScript: POOL_SCRIPT, poolTag: '/gxc-pool/', extranonceSize: 8 };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('parseBlockTemplate', () => {
  it('accepts all four recorded templates', () => {
    for (const t of [
      regtest.template_with_mempool.result,
      regtest.template_empty_mempool.result,
      rejects.template_T2.result,
      rejects.template_T3.result,
    ]) {
      const parsed = parseBlockTemplate(t);
      expect(parsed.previousblockhash).toBe(t.previousblockhash);
      expect(segwitActive(parsed)).toBe(true);
    }
  });

  const broken: Array<[string, (t: Record<string, unknown>) => void, RegExp]> = [
    ['not an object', () => undefined, /\(root\)/],
    ['missing height', (t) => delete t.height, /height/],
    ['fractional coinbasevalue', (t) => (t.coinbasevalue = 1.5), /coinbasevalue/],
    ['string coinbasevalue', (t) => (t.coinbasevalue = '5000000000'), /coinbasevalue/],
    ['short previousblockhash', (t) => (t.previousblockhash = 'abcd'), /previousblockhash: expected a 32-byte hash/],
    ['bits not 8 hex', (t) => (t.bits = '7fffff'), /bits: expected compact bits/],
    ['odd-length tx data', (t) => ((t.transactions as Array<Record<string, unknown>>)[1]!.data = 'abc'), /transactions\[1\]\.data/],
    ['bad txid', (t) => ((t.transactions as Array<Record<string, unknown>>)[2]!.txid = 'zz'), /transactions\[2\]\.txid/],
    ['depends on a later tx', (t) => ((t.transactions as Array<Record<string, unknown>>)[0]!.depends = [3]), /transactions\[0\]\.depends/],
    ['mintime after curtime', (t) => (t.mintime = (t.curtime as number) + 1), /mintime/],
  ];
  for (const [what, mutate, pattern] of broken) {
    it(`names the bad field: ${what}`, () => {
      const t = clone(rejects.template_T2.result);
      mutate(t);
      expect(() => parseBlockTemplate(what === 'not an object' ? 'nope' : t)).toThrow(pattern);
    });
  }
});

describe('BitcoinWork from template_with_mempool (height 102)', () => {
  const t = regtest.template_with_mempool.result;
  const work = new BitcoinWork(parseBlockTemplate(t), opts);

  it('carries the Sha256dWork fields', () => {
    expect(work.height).toBe(102);
    expect(work.prevHashDisplay).toBe(t.previousblockhash);
    expect(work.prevHashInternal.toString('hex')).toBe(reverseHex(t.previousblockhash as string));
    expect(work.version).toBe(0x20000000);
    expect(work.bits).toBe(0x207fffff);
    expect(work.networkTarget).toBe(BigInt('0x' + (t.target as string)));
    expect(work.curtime).toBe(t.curtime);
    expect(work.mintime).toBe(t.mintime);
    expect(work.reward).toBe(5_000_020_440n);
    expect(work.txCount).toBe(7);
    expect(work.longpollid).toBe(t.longpollid);
    expect(work.merkleBranch.map((b) => b.toString('hex'))).toEqual(regtest.derived.merkle_branch_internal_hex);
    expect(work.witnessCommitment?.toString('hex')).toBe(t.default_witness_commitment);
    expect(work.coinbase.hasWitness).toBe(true);
  });

  it('templateKey follows content, not curtime', () => {
    const later = clone(t);
    later.curtime = (t.curtime as number) + 30;
    expect(new BitcoinWork(parseBlockTemplate(later), opts).templateKey).toBe(work.templateKey);
    const fewer = clone(t);
    (fewer.transactions as unknown[]).pop();
    fewer.coinbasevalue = 5_000_000_000;
    delete fewer.default_witness_commitment;
    expect(new BitcoinWork(parseBlockTemplate(fewer), opts).templateKey).not.toBe(work.templateKey);
    expect(new BitcoinWork(parseBlockTemplate(regtest.template_empty_mempool.result), opts).templateKey).not.toBe(work.templateKey);
  });

  it('computes the commitment when the template has none', () => {
    const noCommitment = clone(t);
    delete noCommitment.default_witness_commitment;
    const w = new BitcoinWork(parseBlockTemplate(noCommitment), opts);
    expect(w.witnessCommitment?.toString('hex')).toBe(t.default_witness_commitment);
  });

  it('pre-segwit template without witness txs: no commitment, no coinbase witness', () => {
    const legacy = clone(t);
    delete legacy.default_witness_commitment;
    legacy.rules = ['csv'];
    // Keep only the transactions without witness data (txid == hash).
    legacy.transactions = (t.transactions as Array<{ txid: string; hash: string }>)
      .filter((x) => x.txid === x.hash)
      .map((x) => ({ ...x, depends: [] }));
    const w = new BitcoinWork(parseBlockTemplate(legacy), opts);
    expect((legacy.transactions as unknown[]).length).toBeGreaterThan(0);
    expect(w.txCount).toBe((legacy.transactions as unknown[]).length + 1);
    expect(w.witnessCommitment).toBeNull();
    expect(w.coinbase.hasWitness).toBe(false);
  });

  it('rejects transactions whose txid/hash do not match their data', () => {
    const wrongTxid = clone(t);
    const txs = wrongTxid.transactions as Array<Record<string, string>>;
    [txs[0]!.txid, txs[1]!.txid] = [txs[1]!.txid!, txs[0]!.txid!];
    expect(() => new BitcoinWork(parseBlockTemplate(wrongTxid), opts)).toThrow(/transactions\[0\]\.txid .* does not match its data/);
    const wrongHash = clone(t);
    (wrongHash.transactions as Array<Record<string, string>>)[0]!.hash = '00'.repeat(32);
    expect(() => new BitcoinWork(parseBlockTemplate(wrongHash), opts)).toThrow(/transactions\[0\]\.hash/);
    const trailing = clone(t);
    (trailing.transactions as Array<Record<string, string>>)[0]!.data += '00';
    expect(() => new BitcoinWork(parseBlockTemplate(trailing), opts)).toThrow(/trailing bytes/);
    const truncated = clone(t);
    (truncated.transactions as Array<Record<string, string>>)[0]!.data = '0200000001';
    expect(() => new BitcoinWork(parseBlockTemplate(truncated), opts)).toThrow(/transactions\[0\]\.data: transaction truncated/);
  });

  it('rejects a commitment that disagrees with the wtxids, bad bits and a mismatched target', () => {
    const wrongCommitment = clone(t);
    wrongCommitment.default_witness_commitment = rejects.template_T3.result.default_witness_commitment;
    expect(() => new BitcoinWork(parseBlockTemplate(wrongCommitment), opts)).toThrow(/default_witness_commitment .* does not match/);
    const negativeBits = clone(t);
    negativeBits.bits = '04923456';
    delete negativeBits.target;
    expect(() => new BitcoinWork(parseBlockTemplate(negativeBits), opts)).toThrow(/template bits: invalid compact target bits/);
    const wrongTarget = clone(t);
    wrongTarget.bits = '1d00ffff';
    expect(() => new BitcoinWork(parseBlockTemplate(wrongTarget), opts)).toThrow(/target .* does not match bits 1d00ffff/);
  });

  it('coinbase reward comes from the template, around the halving too', () => {
    const halved = clone(regtest.template_empty_mempool.result);
    halved.coinbasevalue = 2_500_000_000;
    expect(new BitcoinWork(parseBlockTemplate(halved), opts).reward).toBe(2_500_000_000n);
    expect(hexToBuf(work.coinb2.toString('hex')).includes(Buffer.from('d841062a01000000', 'hex'))).toBe(true);
  });
});
