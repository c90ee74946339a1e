import { describe, expect, it } from 'vitest';
import { loadVector } from '../helpers/vectors.js';
import { merkleBranchForFirst, merkleRoot, merkleRootFromBranch } from '../../src/core/merkle.js';
import { hexToBuf, reverseHex } from '../../src/core/bytes.js';
import { sha256d } from '../../src/core/hash.js';

interface Regtest {
  template_with_mempool: { result: { transactions: Array<{ txid: string; hash: string }> } };
  derived: {
    txids_in_template_order: string[];
    wtxids_in_template_order: string[];
    witness_merkle_root_internal_hex: string;
    merkle_branch_internal_hex: string[];
    coinbase_txid_of_mined_block: string;
    merkle_root_of_mined_block: string;
  };
  mined_block: { header_hex: string };
}
const r = loadVector<Regtest>('bitcoin-regtest-templates.json');
const internal = (display: string): Buffer => hexToBuf(reverseHex(display));
const txids = r.derived.txids_in_template_order.map(internal);
const coinbaseTxid = internal(r.derived.coinbase_txid_of_mined_block);

describe('merkle tree (regtest block 102: coinbase + 6 template txs)', () => {
  it('the derived txid list is the template order', () => {
    expect(r.derived.txids_in_template_order).toEqual(r.template_with_mempool.result.transactions.map((t) => t.txid));
    expect(txids).toHaveLength(6);
  });

  it('merkle root over [coinbase txid] + template txids is the mined header root', () => {
    const root = merkleRoot([coinbaseTxid, ...txids]);
    expect(reverseHex(root.toString('hex'))).toBe(r.derived.merkle_root_of_mined_block);
    expect(hexToBuf(r.mined_block.header_hex).subarray(36, 68).equals(root)).toBe(true);
  });

  it('stratum branch for the coinbase equals the recorded branch', () => {
    const branch = merkleBranchForFirst(txids).map((b) => b.toString('hex'));
    expect(branch).toEqual(r.derived.merkle_branch_internal_hex);
  });

  it('folding the coinbase txid up the branch gives the root', () => {
    const root = merkleRootFromBranch(coinbaseTxid, r.derived.merkle_branch_internal_hex.map(hexToBuf));
    expect(reverseHex(root.toString('hex'))).toBe(r.derived.merkle_root_of_mined_block);
  });

  it('witness merkle root uses 32 zero bytes for the coinbase wtxid', () => {
    const wtxids = r.derived.wtxids_in_template_order.map(internal);
    expect(merkleRoot([Buffer.alloc(32), ...wtxids]).toString('hex')).toBe(r.derived.witness_merkle_root_internal_hex);
  });

  it('branch and root agree for every tree size from 1 to 17 leaves (odd levels duplicate the last hash)', () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = Array.from({ length: n }, (_, i) => sha256d(Buffer.from([i, n])));
      const branch = merkleBranchForFirst(leaves.slice(1));
      expect(merkleRootFromBranch(leaves[0]!, branch).equals(merkleRoot(leaves))).toBe(true);
      expect(branch).toHaveLength(Math.ceil(Math.log2(n)));
    }
  });

  it('a one-leaf tree is the leaf itself; an empty one is an error', () => {
    expect(merkleRoot([coinbaseTxid]).equals(coinbaseTxid)).toBe(true);
    expect(merkleBranchForFirst([])).toEqual([]);
    expect(() => merkleRoot([])).toThrow(/empty/);
  });
});
