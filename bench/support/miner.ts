/**
 * What a miner does before it submits: search nonces until the header hash meets the share target. The
 * benchmarks use it to prepare shares that the real pipeline accepts, at difficulty 1e-9 (about one hash in four
 * meets it), outside every timed section.
 */
import { sha256d } from '../../src/core/hash.js';
import { hashHeader, prevHashFromStratum, serializeHeader } from '../../src/core/header.js';
import { merkleRootFromBranch } from '../../src/core/merkle.js';
import { difficultyToTarget } from '../../src/core/target.js';
import { hex8 } from './work.js';

/** The parts of a job a miner hashes (from work, or decoded from mining.notify). */
export interface MinerJob {
  coinb1: Buffer;
  coinb2: Buffer;
  merkleBranch: readonly Buffer[];
  prevHashInternal: Buffer;
  version: number;
  bits: number;
}

export interface MinedShare {
  extranonce2: string;
  ntime: string;
  nonce: string;
}

/** Decodes mining.notify params [id, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean]. */
export function minerJobFromNotify(params: readonly unknown[]): MinerJob & { id: string; ntime: number } {
  const [id, prevHash, coinb1, coinb2, branch, version, nbits, ntime] = params as [string, string, string, string, string[], string, string, string];
  return {
    id,
    prevHashInternal: prevHashFromStratum(prevHash),
    coinb1: Buffer.from(coinb1, 'hex'),
    coinb2: Buffer.from(coinb2, 'hex'),
    merkleBranch: branch.map((b) => Buffer.from(b, 'hex')),
    version: parseInt(version, 16) >>> 0,
    bits: parseInt(nbits, 16) >>> 0,
    ntime: parseInt(ntime, 16) >>> 0,
  };
}

/**
 * Finds a nonce (starting at `nonceStart`) whose header meets `difficulty`, for this extranonce1/extranonce2.
 * Bounded: gives up after `maxTries` nonces (at 1e-9 the chance of 64 misses in a row is about 1e-8).
 */
export function mineShare(
  job: MinerJob,
  extranonce1: Buffer,
  extranonce2: number,
  ntime: number,
  difficulty: number,
  nonceStart = 0,
  maxTries = 64,
): MinedShare {
  const target = difficultyToTarget(difficulty);
  const en2 = Buffer.from(hex8(extranonce2), 'hex');
  const root = merkleRootFromBranch(sha256d(Buffer.concat([job.coinb1, extranonce1, en2, job.coinb2])), job.merkleBranch);
  for (let k = 0; k < maxTries; k++) {
    const nonce = (nonceStart + k) >>> 0;
    const header = serializeHeader({ version: job.version, prevHash: job.prevHashInternal, merkleRoot: root, time: ntime, bits: job.bits, nonce });
    if (hashHeader(header).value <= target) return { extranonce2: hex8(extranonce2), ntime: hex8(ntime), nonce: hex8(nonce) };
  }
  throw new Error(`no share found in ${maxTries} nonces at difficulty ${difficulty}`);
}
