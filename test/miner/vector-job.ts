import { readFileSync } from 'node:fs';
import type { PoolJob } from './test-pool.js';

interface SubmitblockVectors {
  template_T2: { result: { previousblockhash: string; version: number; bits: string; curtime: number } };
  accepted_block: {
    block_hash: string;
    header_hex: string;
    nonce: number;
    merkle_root: string;
    merkle_branch_internal_hex: string[];
    coinbase: { coinb1: string; extranonce: string; coinb2: string };
  };
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/testdata/bitcoin-submitblock-rejects.json', import.meta.url), 'utf8'),
) as SubmitblockVectors;

/** Stratum's prevhash: display hex -> internal order -> each 4-byte word byte-reversed. */
function stratumPrevhash(displayHex: string): string {
  const internal = Buffer.from(displayHex, 'hex').reverse();
  for (let i = 0; i < 32; i += 4) internal.subarray(i, i + 4).reverse();
  return internal.toString('hex');
}

/**
 * The accepted regtest block of the recorded vectors (Bitcoin Core accepted it), as a mining.notify job, with the
 * recorded 8-byte extranonce split 4 + 4 into extranonce1 and extranonce2.
 */
export function recordedJob(jobId = 'vec1'): {
  job: PoolJob;
  extranonce1: string;
  extranonce2: string;
  nonce: number;
  headerHex: string;
  blockHashDisplay: string;
  merkleRootDisplay: string;
} {
  const t = vectors.template_T2.result;
  const a = vectors.accepted_block;
  return {
    job: {
      jobId,
      prevhash: stratumPrevhash(t.previousblockhash),
      coinb1: a.coinbase.coinb1,
      coinb2: a.coinbase.coinb2,
      branch: a.merkle_branch_internal_hex,
      version: t.version.toString(16).padStart(8, '0'),
      nbits: t.bits,
      ntime: t.curtime.toString(16).padStart(8, '0'),
    },
    extranonce1: a.coinbase.extranonce.slice(0, 8),
    extranonce2: a.coinbase.extranonce.slice(8),
    nonce: a.nonce,
    headerHex: a.header_hex,
    blockHashDisplay: a.block_hash,
    merkleRootDisplay: a.merkle_root,
  };
}
