/**
 * Real work for the benchmarks: BitcoinWork built from a recorded regtest getblocktemplate (6 mempool
 * transactions, so a 3-hash merkle branch), and the same work with a "never a block" network target.
 */
import { addressToScript } from '../../src/chains/bitcoin/address.js';
import { parseBlockTemplate } from '../../src/chains/bitcoin/template.js';
import { BitcoinWork } from '../../src/chains/bitcoin/work.js';
import type { Sha256dWork } from '../../src/chains/types.js';
import { sha256d } from '../../src/core/hash.js';
import { loadVector } from '../../test/helpers/vectors.js';

interface RegtestTemplates {
  template_with_mempool: { result: unknown };
  addresses: Array<{ address: string; scriptPubKey: string }>;
}

const templates = loadVector<RegtestTemplates>('bitcoin-regtest-templates.json');

/** Valid regtest payout addresses recorded from the node (p2wpkh, p2pkh, p2sh, ...). */
export const REGTEST_ADDRESSES: readonly string[] = templates.addresses.map((a) => a.address);

/** Coinbase extranonce space: 4 bytes extranonce1 (server) + 4 bytes extranonce2 (miner). */
export const EXTRANONCE1_SIZE = 4;
export const EXTRANONCE2_SIZE = 4;

export function recordedBitcoinWork(): BitcoinWork {
  const payout = REGTEST_ADDRESSES[0] as string;
  return new BitcoinWork(parseBlockTemplate(templates.template_with_mempool.result), {
    payoutScript: addressToScript(payout, 'regtest'),
    poolTag: '/gxc-pool bench/',
    extranonceSize: EXTRANONCE1_SIZE + EXTRANONCE2_SIZE,
  });
}

/**
 * The recorded work with networkTarget = 1: only a hash of 0 or 1 would be a block (never, in practice), so no
 * share becomes a block candidate and the chain is never asked to submit. Not 0n: the pool stores the network
 * difficulty with every share, and diff1/0 is Infinity, which the share store refuses.
 */
export function noBlockWork(work: Sha256dWork = recordedBitcoinWork(), extraBranchHashes = 0): Sha256dWork {
  const extra: Buffer[] = [];
  // Extra branch entries stand in for a bigger block (mainnet: ~3000 txs = 12 levels); the hashes are arbitrary.
  for (let i = 0; i < extraBranchHashes; i++) extra.push(sha256d(Buffer.from(`bench branch ${i}`)));
  return {
    height: work.height,
    prevHashDisplay: work.prevHashDisplay,
    prevHashInternal: work.prevHashInternal,
    version: work.version,
    bits: work.bits,
    networkTarget: 1n,
    curtime: work.curtime,
    mintime: work.mintime,
    coinb1: work.coinb1,
    coinb2: work.coinb2,
    merkleBranch: [...work.merkleBranch, ...extra],
    reward: work.reward,
    txCount: work.txCount,
    templateKey: `${work.templateKey}:noblock:${extraBranchHashes}`,
  };
}

export const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** An ntime the share check accepts now: not before mintime, not far in the future. */
export function currentNtime(work: Sha256dWork): number {
  return Math.max(work.mintime, Math.floor(Date.now() / 1000));
}
