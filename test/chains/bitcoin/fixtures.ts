/** Shared vector access and solution building for the bitcoin chain tests. */
import { loadVector } from '../../helpers/vectors.js';
import type { BlockSolution } from '../../../src/chains/types.js';
import { BitcoinWork } from '../../../src/chains/bitcoin/work.js';
import { parseBlockTemplate } from '../../../src/chains/bitcoin/template.js';
import { hashHeader, serializeHeader } from '../../../src/core/header.js';
import { merkleRootFromBranch } from '../../../src/core/merkle.js';
import { sha256d } from '../../../src/core/hash.js';

export interface RecordedBlock {
  block_hash: string;
  header_hex: string;
  nonce: number;
  merkle_root: string;
  block_hex: string;
  merkle_branch_internal_hex?: string[];
  coinbase: {
    hex_with_witness: string;
    hex_without_witness: string;
    txid: string;
    wtxid: string;
    script_sig_hex: string;
    coinb1: string;
    extranonce: string;
    coinb2: string;
  };
}
export interface RecordedAnswer {
  http_status: number;
  response: { result: unknown; error: { code: number; message: string } | null; id: unknown };
}
export interface Rejects {
  conventions: { coinbase_layout: string };
  pool_payout: { address: string; scriptPubKey: string };
  template_T2: { result: Record<string, unknown> & { transactions: Array<{ txid: string; hash: string }> } };
  template_T3: { result: Record<string, unknown> & { transactions: Array<{ txid: string; hash: string }> } };
  accepted_block: RecordedBlock & { answers: Record<string, RecordedAnswer> };
  stale_sibling: RecordedBlock & { answers: Record<string, RecordedAnswer> };
  valid_proposal: RecordedBlock;
  rejects: Array<{ name: string; node_answer: string; header_hex: string | null; block_hex: string; submitblock: RecordedAnswer }>;
  resubmits: Array<{ name: string; submitblock: RecordedAnswer }>;
  version_rolled_proposal: { version: number; block_hex: string; block_hash: string };
  witness_reserved_value_missing: { header_hex: string; stored_block_hex: string; block_hex: string };
}

export const rejects = loadVector<Rejects>('bitcoin-submitblock-rejects.json');
/** The pool tag the recorder used: the push after the extranonce in every recorded coinbase. */
export const RECORDED_TAG = '/gxc-pool test vectors/';
export const POOL_SCRIPT = Buffer.from(rejects.pool_payout.scriptPubKey, 'hex');

export function recordedWork(which: 'template_T2' | 'template_T3', extranonceSize = 8, poolTag = RECORDED_TAG): BitcoinWork {
  return new BitcoinWork(parseBlockTemplate(rejects[which].result), { payoutScript: POOL_SCRIPT, poolTag, extranonceSize });
}

/** What the share pipeline would hand over for a miner's result (extranonce split 4 + rest). */
export function solutionFor(work: BitcoinWork, extranonce: Buffer, nonce: number, opts: { ntime?: number; version?: number } = {}): BlockSolution {
  const ntime = opts.ntime ?? work.curtime;
  const version = opts.version ?? work.version;
  const coinbaseTxid = sha256d(Buffer.concat([work.coinb1, extranonce, work.coinb2]));
  const header = serializeHeader({
    version,
    prevHash: work.prevHashInternal,
    merkleRoot: merkleRootFromBranch(coinbaseTxid, work.merkleBranch),
    time: ntime,
    bits: work.bits,
    nonce,
  });
  return {
    extranonce1: extranonce.subarray(0, 4),
    extranonce2: extranonce.subarray(4),
    ntime,
    nonce,
    version,
    header,
    hashDisplay: hashHeader(header).displayHex,
  };
}
