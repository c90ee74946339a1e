/**
 * Shared pieces of the Ethash dialect transcripts: the recorded real share (ethash-vectors.json: header
 * keccak256("gxc-pool ethash share") at block 30001, smallest nonce 0x8c6 meeting raw difficulty 1000), the epoch-1
 * light cache built once per test file, and a server whose Ethash backend verifies for real.
 */
import { buildLightCache, hashimotoLight, type LightCache } from '../../../src/core/ethash/index.js';
import { EthashExtranonceAllocator } from '../../../src/stratum/dialects/ethash-extranonce.js';
import type { EthashJob } from '../../../src/stratum/types.js';
import { EthashTestBackend } from '../../helpers/ethash-backend.js';
import { loadVector } from '../../helpers/vectors.js';
import type { Harness } from '../helpers/harness.js';

interface HashVector {
  block: number;
  header_hash: string;
  nonce: string;
  mix_hash: string;
  final_hash: string;
  share_difficulty?: string;
}

const vectors = loadVector<{ hash_vectors: HashVector[]; epochs: { epoch: number; seed: string }[] }>('ethash-vectors.json');
function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`ethash-vectors.json has no ${what}`);
  return value;
}
const shareVector = found(
  vectors.hash_vectors.find((v) => v.share_difficulty === '1000'),
  'real share at difficulty 1000',
);
const seed1 = found(vectors.epochs.find((e) => e.epoch === 1)?.seed, 'epoch 1 seed');

/** The recorded share: verifies at raw difficulty 1000 (pool difficulty 1000 / 2^32); nonce 0x8c5 does not. */
export const SHARE = {
  headerHash: shareVector.header_hash,
  nonce: BigInt(`0x${shareVector.nonce}`),
  nonceHex: shareVector.nonce,
  mixDigest: shareVector.mix_hash,
  finalHash: shareVector.final_hash,
};

/** Pool difficulty of the recorded share's raw difficulty 1000 (difficulty 1 = 2^32 hashes). */
export const SHARE_DIFFICULTY = 1000 / 2 ** 32;

export const ADDRESS = '0x00000000000000000000000000000000000000aa';

export const SHARE_JOB: EthashJob = { id: 'e1', blockNumber: shareVector.block, seedHash: seed1, headerHash: SHARE.headerHash };

/** Another job of the same epoch (a later block: makes SHARE_JOB stale when added with `stale`). */
export function laterJob(id: string): EthashJob {
  return { id, blockNumber: shareVector.block + 1, seedHash: seed1, headerHash: id.padStart(2, '0').repeat(32).slice(0, 64) };
}

let cache: LightCache | null = null;
/** The epoch-1 light cache (seconds to build in JS: once per test file). */
export function epochOneCache(): LightCache {
  cache ??= buildLightCache(1);
  return cache;
}

/** Mix digest of any nonce on the share's header (for shares that must fail on difficulty, not on the mix). */
export function mixOf(nonce: bigint, headerHash = SHARE.headerHash): string {
  return hashimotoLight(epochOneCache(), Buffer.from(headerHash, 'hex'), nonce).mixDigest.toString('hex');
}

/** Starts a server on `algorithms` with a real-verifying Ethash backend holding SHARE_JOB. */
export async function startEthashServer(h: Harness, algorithms: ('sha256d' | 'ethash')[] = ['ethash'], difficulty = SHARE_DIFFICULTY) {
  const ethashBackend = new EthashTestBackend(new Map([[1, epochOneCache()]]));
  ethashBackend.addJob(SHARE_JOB);
  const started = await h.start({
    algorithms,
    ethashBackend,
    ethashDifficulty: { initial: difficulty, floor: 1e-12, ceiling: 1 },
    // Counter from 0: the first EthereumStratum connection gets extranonce 000000, the recorded share's prefix.
    ethashExtranonces: new EthashExtranonceAllocator(0, 1 << 16, 0),
  });
  return { ...started, ethashBackend };
}
