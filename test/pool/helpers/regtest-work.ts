/**
 * Work rebuilt from the recorded regtest block (bitcoin-submitblock-rejects.json): the recorded extranonce split
 * as a 4-byte extranonce1 and a 4-byte extranonce2, so a submit with these values rebuilds the accepted header.
 */
import type { BlockSolution, ChainAdapter, Sha256dWork, SubmitOutcome } from '../../../src/chains/types.js';
import { hexToBuf, reverseHex } from '../../../src/core/bytes.js';
import { bitsToTarget } from '../../../src/core/target.js';
import type { SubmitRequest } from '../../../src/stratum/types.js';
import { loadVector } from '../../helpers/vectors.js';

interface Rejects {
  template_T2: {
    result: { version: number; bits: string; curtime: number; mintime: number; previousblockhash: string; height: number; coinbasevalue: number };
  };
  accepted_block: {
    block_hash: string;
    header_hex: string;
    nonce: number;
    coinbase: { coinb1: string; coinb2: string; extranonce: string };
    merkle_branch_internal_hex: string[];
  };
}

const v = loadVector<Rejects>('bitcoin-submitblock-rejects.json');
const t = v.template_T2.result;
export const recordedBlock = v.accepted_block;

export const regtestWork: Sha256dWork = {
  height: t.height,
  prevHashDisplay: t.previousblockhash,
  prevHashInternal: hexToBuf(reverseHex(t.previousblockhash)),
  version: t.version,
  bits: parseInt(t.bits, 16),
  networkTarget: bitsToTarget(t.bits),
  curtime: t.curtime,
  mintime: t.mintime,
  coinb1: hexToBuf(recordedBlock.coinbase.coinb1),
  coinb2: hexToBuf(recordedBlock.coinbase.coinb2),
  merkleBranch: recordedBlock.merkle_branch_internal_hex.map(hexToBuf),
  reward: BigInt(t.coinbasevalue),
  txCount: 1 + recordedBlock.merkle_branch_internal_hex.length,
  templateKey: 'T2',
};

/** The recorded block's hash as a little-endian integer: a network target that only this header (practically) meets. */
export const recordedHashValue = BigInt(`0x${recordedBlock.block_hash}`);

/** Same template, but only the recorded header is a block (other nonces are ordinary shares). */
export const hardWork: Sha256dWork = { ...regtestWork, networkTarget: recordedHashValue, templateKey: 'T2-hard' };

export const extranonce1Hex = recordedBlock.coinbase.extranonce.slice(0, 8);
export const extranonce2Hex = recordedBlock.coinbase.extranonce.slice(8);
const headerTime = hexToBuf(recordedBlock.header_hex).readUInt32LE(68);
const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
export const ntimeHex = hex8(headerTime);
export const nowSeconds = headerTime;

/** A submit on `jobId`; `nonceDelta` 0 is the recorded block, anything else an ordinary share. */
export function recordedSubmit(jobId: string, nonceDelta = 0): SubmitRequest {
  return { workerName: 'w', jobId, extranonce2: extranonce2Hex, ntime: ntimeHex, nonce: hex8(recordedBlock.nonce + nonceDelta) };
}

/** The chain side the pool talks to: records what reaches submitBlock, and answers like a node that accepts. */
export class RecordingChain {
  readonly submitted: { work: Sha256dWork; solution: BlockSolution }[] = [];
  readonly kind = 'bitcoin' as const;
  readonly coinbaseMaturity = 100;
  readonly coinSymbol = 'BTC';
  validateAddress(address: string): string | null {
    return address.startsWith('bcrt1') ? null : 'not a regtest address';
  }
  /** What the node answers; default: accepted. */
  answer: Omit<SubmitOutcome, 'blockHash'> = { accepted: true, reason: null, raw: null };
  async submitBlock(work: Sha256dWork, solution: BlockSolution): Promise<SubmitOutcome> {
    this.submitted.push({ work, solution });
    return { ...this.answer, blockHash: solution.hashDisplay };
  }
  asAdapter(): ChainAdapter {
    return this as unknown as ChainAdapter;
  }
}
