import { describe, expect, it } from 'vitest';
import { loadVector } from '../../helpers/vectors.js';
import { displayHex, hasWitness, parseTx, serializeTx, txHashesOfRaw, txidOf, wtxidOf } from '../../../src/chains/bitcoin/tx.js';
import { hexToBuf, readVarInt, reverseHex } from '../../../src/core/bytes.js';
import { merkleRoot } from '../../../src/core/merkle.js';

interface TemplateTx {
  data: string;
  txid: string;
  hash: string;
}
interface Regtest {
  template_with_mempool: { result: { transactions: TemplateTx[] } };
  mined_block: { getblock_verbosity_0: string; getblock_verbosity_2: { merkleroot: string; tx: Array<{ txid: string; hash: string; hex: string }> } };
  regtest_genesis: { block_hex: string; header_hex: string };
}
interface Rejects {
  template_T2: { result: { transactions: TemplateTx[] } };
  template_T3: { result: { transactions: TemplateTx[] } };
  accepted_block: { coinbase: { hex_with_witness: string; hex_without_witness: string; txid: string; wtxid: string } };
}
const r = loadVector<Regtest>('bitcoin-regtest-templates.json');
const s = loadVector<Rejects>('bitcoin-submitblock-rejects.json');
const mainnet = loadVector<{ genesis_coinbase: { tx_hex: string; txid: string; genesis_block_hex: string } }>('bitcoin-mainnet-headers.json');

const allTemplateTxs: Array<[string, TemplateTx]> = [
  ...r.template_with_mempool.result.transactions.map((t, i): [string, TemplateTx] => [`template_with_mempool[${i}]`, t]),
  ...s.template_T2.result.transactions.map((t, i): [string, TemplateTx] => [`template_T2[${i}]`, t]),
  ...s.template_T3.result.transactions.map((t, i): [string, TemplateTx] => [`template_T3[${i}]`, t]),
];

describe('template transactions: parse, re-serialize, txid and wtxid', () => {
  it('covers 12 transactions, with and without witnesses', () => {
    expect(allTemplateTxs).toHaveLength(12);
    const witnessFlags = allTemplateTxs.map(([, t]) => hasWitness(parseTx(hexToBuf(t.data)).tx));
    expect(witnessFlags).toContain(true);
    expect(witnessFlags).toContain(false);
  });
  for (const [name, t] of allTemplateTxs) {
    it(name, () => {
      const raw = hexToBuf(t.data);
      const { tx, size } = parseTx(raw);
      expect(size).toBe(raw.length);
      expect(serializeTx(tx).equals(raw)).toBe(true);
      expect(displayHex(txidOf(tx))).toBe(t.txid);
      expect(displayHex(wtxidOf(tx))).toBe(t.hash);
      // Non-witness transactions have txid == wtxid; witness ones differ.
      expect(t.txid === t.hash).toBe(!hasWitness(tx));
      // The allocation-free scanner agrees with the full parser.
      const fast = txHashesOfRaw(raw);
      expect([displayHex(fast.txid), displayHex(fast.wtxid), fast.hasWitness]).toEqual([t.txid, t.hash, hasWitness(tx)]);
    });
  }
});

describe('whole blocks', () => {
  it('parses every transaction of the mined regtest block and matches getblock verbosity 2', () => {
    const block = hexToBuf(r.mined_block.getblock_verbosity_0);
    const count = readVarInt(block, 80);
    let p = 80 + count.size;
    const txids: Buffer[] = [];
    const v2 = r.mined_block.getblock_verbosity_2.tx;
    expect(count.value).toBe(v2.length);
    for (let i = 0; i < count.value; i++) {
      const { tx, size } = parseTx(block, p);
      expect(block.subarray(p, p + size).toString('hex')).toBe(v2[i]!.hex);
      expect(displayHex(txidOf(tx))).toBe(v2[i]!.txid);
      expect(displayHex(wtxidOf(tx))).toBe(v2[i]!.hash);
      txids.push(txidOf(tx));
      p += size;
    }
    expect(p).toBe(block.length);
    expect(reverseHex(merkleRoot(txids).toString('hex'))).toBe(r.mined_block.getblock_verbosity_2.merkleroot);
  });

  it('rebuilds the mainnet genesis coinbase: txid == genesis merkle root', () => {
    const raw = hexToBuf(mainnet.genesis_coinbase.tx_hex);
    const { tx } = parseTx(raw);
    expect(serializeTx(tx).equals(raw)).toBe(true);
    expect(displayHex(txidOf(tx))).toBe(mainnet.genesis_coinbase.txid);
    expect(tx.outputs[0]!.value).toBe(5_000_000_000n);
    expect(mainnet.genesis_coinbase.genesis_block_hex.slice(72, 136)).toBe(txidOf(tx).toString('hex'));
    // The regtest genesis carries the same coinbase.
    expect(r.regtest_genesis.block_hex.endsWith(mainnet.genesis_coinbase.tx_hex)).toBe(true);
  });

  it('the accepted block coinbase: witness and non-witness forms, txid and wtxid', () => {
    const c = s.accepted_block.coinbase;
    const { tx } = parseTx(hexToBuf(c.hex_with_witness));
    expect(serializeTx(tx, false).toString('hex')).toBe(c.hex_without_witness);
    expect(serializeTx(tx, true).toString('hex')).toBe(c.hex_with_witness);
    expect(displayHex(txidOf(tx))).toBe(c.txid);
    expect(displayHex(wtxidOf(tx))).toBe(c.wtxid);
  });

  it('throws on truncated transactions and (scanner) trailing bytes', () => {
    for (const [, t] of allTemplateTxs.slice(0, 3)) {
      const raw = hexToBuf(t.data);
      for (const cut of [0, 3, 10, 60, raw.length - 5, raw.length - 1]) {
        expect(() => parseTx(raw.subarray(0, cut))).toThrow(RangeError);
        expect(() => txHashesOfRaw(raw.subarray(0, cut))).toThrow(/truncated/);
      }
      expect(() => txHashesOfRaw(Buffer.concat([raw, Buffer.from([0])]))).toThrow(/1 trailing bytes/);
    }
  });
  it('scanner handles the genesis coinbase and the accepted segwit coinbase', () => {
    const genesis = txHashesOfRaw(hexToBuf(mainnet.genesis_coinbase.tx_hex));
    expect(displayHex(genesis.txid)).toBe(mainnet.genesis_coinbase.txid);
    expect(genesis.hasWitness).toBe(false);
    const cb = txHashesOfRaw(hexToBuf(s.accepted_block.coinbase.hex_with_witness));
    expect([displayHex(cb.txid), displayHex(cb.wtxid), cb.hasWitness]).toEqual([
      s.accepted_block.coinbase.txid,
      s.accepted_block.coinbase.wtxid,
      true,
    ]);
  });
});
