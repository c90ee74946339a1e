/** Full block assembly for a solved Bitcoin header, with the checks a node would make on the pool's part. */
import type { BlockSolution } from '../types.js';
import { varInt } from '../../core/bytes.js';
import { hashHeader } from '../../core/header.js';
import { merkleRootFromBranch } from '../../core/merkle.js';
import { sha256d } from '../../core/hash.js';
import { bigIntToHex64 } from '../../core/bytes.js';
import { coinbaseForBlock, coinbaseWithoutWitness } from './coinbase.js';
import type { BitcoinWork } from './work.js';

export type BlockAssembly = { ok: true; hex: string; blockHash: string; coinbaseTxid: string } | { ok: false; reason: string; blockHash: string };

/**
 * Builds header ‖ varint(tx count) ‖ coinbase (with witness when committed) ‖ template txs, after checking that
 * the header belongs to this work and its hash meets the network target. Never throws for a bad solution.
 */
export function assembleBlock(work: BitcoinWork, solution: BlockSolution): BlockAssembly {
  const header = solution.header;
  const blockHash = header.length === 80 ? hashHeader(header).displayHex : '';
  const fail = (reason: string): BlockAssembly => ({ ok: false, reason, blockHash });
  if (header.length !== 80) return fail(`header is ${header.length} bytes, expected 80`);
  const hash = hashHeader(header);
  if (solution.hashDisplay && solution.hashDisplay.toLowerCase() !== hash.displayHex) {
    return fail(`solution hash ${solution.hashDisplay} does not match the header's hash ${hash.displayHex}`);
  }
  if (!header.subarray(4, 36).equals(work.prevHashInternal)) return fail("header previous-block hash is not this work's");
  if (header.readUInt32LE(0) !== solution.version >>> 0) return fail('header version differs from the solution version');
  if (header.readUInt32LE(68) !== solution.ntime >>> 0) return fail('header time differs from the solution ntime');
  if (header.readUInt32LE(72) !== work.bits) return fail('header bits differ from the template bits');
  if (header.readUInt32LE(76) !== solution.nonce >>> 0) return fail('header nonce differs from the solution nonce');
  const extranonce = Buffer.concat([solution.extranonce1, solution.extranonce2]);
  if (extranonce.length !== work.coinbase.extranonceSize) {
    return fail(`extranonce1+extranonce2 is ${extranonce.length} bytes, the work expects ${work.coinbase.extranonceSize}`);
  }
  const coinbaseTxid = sha256d(coinbaseWithoutWitness(work.coinbase, extranonce));
  const root = merkleRootFromBranch(coinbaseTxid, work.merkleBranch);
  if (!header.subarray(36, 68).equals(root)) return fail('header merkle root does not match the coinbase for this extranonce');
  if (hash.value > work.networkTarget) {
    return fail(`high-hash: block hash ${hash.displayHex} is above the network target ${bigIntToHex64(work.networkTarget)}`);
  }
  const parts: Buffer[] = [header, varInt(work.txCount), coinbaseForBlock(work.coinbase, extranonce)];
  for (const tx of work.transactions) parts.push(tx.data);
  return {
    ok: true,
    hex: Buffer.concat(parts).toString('hex'),
    blockHash: hash.displayHex,
    coinbaseTxid: Buffer.from(coinbaseTxid).reverse().toString('hex'),
  };
}
