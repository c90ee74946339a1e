/** Finds real shares for a Stratum job in-process (tests only): the same header a miner would build and hash. */
import { sha256d } from '../../src/core/hash.js';
import { hashHeader, prevHashFromStratum, serializeHeader } from '../../src/core/header.js';
import { merkleRootFromBranch } from '../../src/core/merkle.js';
import { bitsToTarget, difficultyToTarget } from '../../src/core/target.js';

export interface NotifyJob {
  jobId: string;
  prevHash: string;
  coinb1: string;
  coinb2: string;
  branch: string[];
  version: string;
  nbits: string;
  ntime: string;
}

export function parseNotify(params: unknown[]): NotifyJob {
  const [jobId, prevHash, coinb1, coinb2, branch, version, nbits, ntime] = params as [
    string,
    string,
    string,
    string,
    string[],
    string,
    string,
    string,
  ];
  return { jobId, prevHash, coinb1, coinb2, branch, version, nbits, ntime };
}

export interface FoundShare {
  extranonce2: string;
  ntime: string;
  nonce: string;
  hashDisplay: string;
  hashValue: bigint;
}

export function headerHash(
  job: NotifyJob,
  extranonce1: string,
  extranonce2: string,
  ntime: string,
  nonce: number,
  version?: number,
): { displayHex: string; value: bigint } {
  const coinbase = Buffer.from(job.coinb1 + extranonce1 + extranonce2 + job.coinb2, 'hex');
  const root = merkleRootFromBranch(
    sha256d(coinbase),
    job.branch.map((b) => Buffer.from(b, 'hex')),
  );
  const header = serializeHeader({
    version: version ?? parseInt(job.version, 16),
    prevHash: prevHashFromStratum(job.prevHash),
    merkleRoot: root,
    time: parseInt(ntime, 16),
    bits: parseInt(job.nbits, 16),
    nonce,
  });
  return hashHeader(header);
}

/**
 * Searches nonces (bounded) for a hash at or below the target of `difficulty`; or, with `miss`, one above it.
 * With `notBlock`, a hash that would also meet the job's network target (nbits) is skipped, so submitting the
 * share does not end the round.
 */
export function findShare(
  job: NotifyJob,
  extranonce1: string,
  extranonce2: string,
  difficulty: number,
  opts: { miss?: boolean; maxTries?: number; startNonce?: number; notBlock?: boolean } = {},
): FoundShare {
  const target = difficultyToTarget(difficulty);
  const networkTarget = opts.notBlock ? bitsToTarget(job.nbits) : -1n;
  const max = opts.maxTries ?? 5_000_000;
  for (let i = 0; i < max; i++) {
    const nonce = ((opts.startNonce ?? 0) + i) >>> 0;
    const h = headerHash(job, extranonce1, extranonce2, job.ntime, nonce);
    if (h.value <= networkTarget) continue;
    if (h.value <= target !== (opts.miss === true)) {
      return { extranonce2, ntime: job.ntime, nonce: nonce.toString(16).padStart(8, '0'), hashDisplay: h.displayHex, hashValue: h.value };
    }
  }
  throw new Error(`no ${opts.miss ? 'missing' : 'matching'} nonce within ${max} tries at difficulty ${difficulty}`);
}
