/**
 * The devnet's own regtest-like genesis block, built and serialized for real: a version-1 coinbase whose
 * scriptSig follows Satoshi's layout (push of the bits, push of 4, a message), one 50 BTC output that nobody can
 * spend (OP_RETURN; Core does not add the genesis output to the UTXO set either), bits at the pow limit and the
 * first nonce that meets them.
 */
import { pushData } from '../../core/script.js';
import { u32LE } from '../../core/bytes.js';
import { bitsToTarget } from '../../core/target.js';
import type { Tx } from '../../chains/bitcoin/tx.js';
import { blockHash, txMerkleRoot, type Block } from './block.js';
import { GENESIS_TIME, INITIAL_SUBSIDY, POW_LIMIT_BITS } from './params.js';

export const GENESIS_MESSAGE = 'gxc-pool devnet genesis: a small real chain for pool tests';

export function buildGenesis(): Block {
  const bits = parseInt(POW_LIMIT_BITS, 16);
  const coinbase: Tx = {
    version: 1,
    inputs: [
      {
        prevTxid: Buffer.alloc(32),
        prevIndex: 0xffffffff,
        scriptSig: Buffer.concat([pushData(u32LE(bits)), pushData(Buffer.from([4])), pushData(Buffer.from(GENESIS_MESSAGE))]),
        sequence: 0xffffffff,
        witness: [],
      },
    ],
    outputs: [{ value: INITIAL_SUBSIDY, scriptPubKey: Buffer.concat([Buffer.from([0x6a]), pushData(Buffer.from('gxc-pool devnet'))]) }],
    locktime: 0,
  };
  const block: Block = {
    header: { version: 1, prevHash: Buffer.alloc(32), merkleRoot: txMerkleRoot([coinbase]), time: GENESIS_TIME, bits, nonce: 0 },
    txs: [coinbase],
  };
  const target = bitsToTarget(bits);
  while (blockHash(block).value > target) block.header.nonce++;
  return block;
}
