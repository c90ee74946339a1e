/** What the miner mines: a parsed mining.notify, and the header it builds for each extranonce2/version/nonce. */
import { isHex } from '../core/bytes.js';
import { sha256d } from '../core/hash.js';
import { prevHashFromStratum, serializeHeader } from '../core/header.js';
import { merkleRootFromBranch } from '../core/merkle.js';

export interface MinerJob {
  jobId: string;
  /** Header-order (internal) previous block hash. */
  prevHash: Buffer;
  coinb1: Buffer;
  coinb2: Buffer;
  /** Merkle branch steps in internal order. */
  branch: Buffer[];
  version: number;
  nbits: number;
  /** ntime as the pool sent it (8 hex, big-endian); submitted unchanged. */
  ntimeHex: string;
  ntime: number;
  clean: boolean;
}

/** Parses mining.notify params, with an error naming the first bad field. */
export function parseNotify(params: unknown): MinerJob {
  if (!Array.isArray(params) || params.length < 9) {
    throw new Error(`mining.notify: expected 9 params, got ${JSON.stringify(params)?.slice(0, 120)}`);
  }
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params as unknown[];
  if (typeof jobId !== 'string' && typeof jobId !== 'number') throw new Error('mining.notify: job_id must be a string');
  const hex = (value: unknown, name: string, bytes?: number): string => {
    if (typeof value !== 'string' || !isHex(value, bytes)) {
      const want = bytes === undefined ? 'even-length hex' : `${bytes * 2} hex chars`;
      throw new Error(`mining.notify: ${name} must be ${want}, got ${JSON.stringify(value)?.slice(0, 80)}`);
    }
    return value;
  };
  if (!Array.isArray(branch)) throw new Error('mining.notify: merkle_branch must be an array');
  return {
    jobId: String(jobId),
    prevHash: prevHashFromStratum(hex(prevhash, 'prevhash', 32)),
    coinb1: Buffer.from(hex(coinb1, 'coinb1'), 'hex'),
    coinb2: Buffer.from(hex(coinb2, 'coinb2'), 'hex'),
    branch: branch.map((step, i) => Buffer.from(hex(step, `merkle_branch[${i}]`, 32), 'hex')),
    version: parseInt(hex(version, 'version', 4), 16) >>> 0,
    nbits: parseInt(hex(nbits, 'nbits', 4), 16) >>> 0,
    ntimeHex: hex(ntime, 'ntime', 4).toLowerCase(),
    ntime: parseInt(ntime as string, 16) >>> 0,
    clean: clean === true,
  };
}

/** The 80-byte header for one extranonce2 and version; the nonce is written later at offset 76. */
export function buildHeader(job: MinerJob, extranonce1: Buffer, extranonce2: Buffer, version: number, nonce = 0): Buffer {
  const coinbase = Buffer.concat([job.coinb1, extranonce1, extranonce2, job.coinb2]);
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), job.branch);
  return serializeHeader({ version, prevHash: job.prevHash, merkleRoot, time: job.ntime, bits: job.nbits, nonce });
}

/** Spreads the low bits of `counter` over the set bits of `mask` (BIP320 rolls only the masked bits). */
export function spreadOverMask(counter: number, mask: number): number {
  let out = 0;
  let bit = 0;
  for (let pos = 0; pos < 32; pos++) {
    if ((mask >>> pos) & 1) {
      if ((counter >>> bit) & 1) out |= 1 << pos;
      bit++;
    }
  }
  return out >>> 0;
}

export function popcount(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m !== 0; m >>>= 1) n += m & 1;
  return n;
}

/** One slice of the search space handed to a hashing thread. */
export interface WorkUnit {
  /** Header with nonce 0; the thread writes nonces start .. start+count-1 at offset 76. */
  header: Buffer;
  extranonce2: Buffer;
  version: number;
  start: number;
  count: number;
}

/**
 * Hands out disjoint slices of one job's search space: the nonce first, then the rolled version bits (when
 * negotiated), then extranonce2. Every thread asks the same allocator, so no two threads hash the same header.
 */
export class WorkAllocator {
  private extranonce2 = 0n;
  private versionStep: number;
  private nonce = 0;
  private header: Buffer | null = null;
  private readonly versionSteps: number;
  private readonly extranonce2Limit: bigint;
  private exhausted = false;

  constructor(
    private readonly job: MinerJob,
    private readonly extranonce1: Buffer,
    private readonly extranonce2Size: number,
    private readonly versionMask: number,
    private readonly nonceSpace = 2 ** 32,
  ) {
    this.versionSteps = versionMask === 0 ? 1 : 2 ** popcount(versionMask);
    // With rolling negotiated, start one step in, so shares carry rolled bits as ASIC firmwares' shares do.
    this.versionStep = this.versionSteps > 1 ? 1 : 0;
    this.extranonce2Limit = 1n << BigInt(8 * extranonce2Size);
  }

  /** The next slice of at most `count` nonces, or null when the whole space of this job is used up. */
  next(count: number): WorkUnit | null {
    if (this.exhausted) return null;
    if (this.nonce >= this.nonceSpace) {
      this.nonce = 0;
      this.header = null;
      this.versionStep++;
      if (this.versionStep >= this.versionSteps) {
        this.versionStep = this.versionSteps > 1 ? 1 : 0;
        this.extranonce2++;
        if (this.extranonce2 >= this.extranonce2Limit) {
          this.exhausted = true;
          return null;
        }
      }
    }
    const extranonce2 = this.currentExtranonce2();
    const version = this.currentVersion();
    this.header ??= buildHeader(this.job, this.extranonce1, extranonce2, version);
    const start = this.nonce;
    const take = Math.max(1, Math.min(count, this.nonceSpace - start));
    this.nonce += take;
    return { header: this.header, extranonce2, version, start, count: take };
  }

  private currentExtranonce2(): Buffer {
    const buf = Buffer.alloc(this.extranonce2Size);
    let value = this.extranonce2;
    // Big-endian counter: the last byte changes fastest, like cpuminer's increment.
    for (let i = this.extranonce2Size - 1; i >= 0; i--) {
      buf[i] = Number(value & 0xffn);
      value >>= 8n;
    }
    return buf;
  }

  private currentVersion(): number {
    const rolled = spreadOverMask(this.versionStep, this.versionMask);
    return ((this.job.version & ~this.versionMask) | rolled) >>> 0;
  }
}

/** True when the digest, read as a little-endian 256-bit integer, is at most the target. */
export function digestMeetsTarget(digest: Buffer, target: bigint): boolean {
  return BigInt('0x' + Buffer.from(digest).reverse().toString('hex')) <= target;
}

/** 32-byte big-endian form of a target, as the hashing threads compare it. */
export function targetToBytes(target: bigint): Buffer {
  return Buffer.from(target.toString(16).padStart(64, '0'), 'hex');
}
