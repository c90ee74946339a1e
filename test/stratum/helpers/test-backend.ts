/**
 * A small deterministic StratumBackend for transcript tests: jobs are numbered, every call is recorded, and its
 * share rules are few and exact (version bits outside the negotiated mask, duplicates, expired jobs), so tests can
 * tell what the server passed through.
 */
import type { AuthorizeResult, ShareContext, ShareVerdict, StratumBackend, StratumJob, SubmitRequest } from '../../../src/stratum/types.js';
import { StratumErrorCode } from '../../../src/stratum/types.js';

export interface RecordedShare {
  ctx: ShareContext;
  req: SubmitRequest;
  verdict: ShareVerdict;
}

/** Payout addresses the backend accepts (a real chain adapter validates them; here it is a fixed list). */
export const GOOD_ADDRESSES = ['bcrt1qtestaddress0', 'bcrt1qtestaddress1', 'mfakeaddress2'];

export class TestBackend implements StratumBackend {
  readonly shares: RecordedShare[] = [];
  readonly authorizeCalls: { username: string; password: string }[] = [];
  private readonly live = new Map<string, StratumJob>();
  private current: StratumJob | null = null;
  private seq = 0;
  private readonly seen = new Set<string>();
  /** Delay before authorize answers (ms), to let tests interleave messages. */
  authorizeDelayMs = 0;
  /** When set, submitShare waits on this promise before answering (to test pending submit limits). */
  holdSubmits: Promise<void> | null = null;

  constructor(withJob = true) {
    if (withJob) this.newBlock();
  }

  /** New work on a new "block": older jobs become stale (as a pool does on a new tip). */
  newBlock(): StratumJob {
    this.live.clear();
    return this.makeJob();
  }

  /** New work on the same block (e.g. new transactions): older jobs stay valid. */
  makeJob(): StratumJob {
    const n = ++this.seq;
    const job: StratumJob = {
      id: n.toString(16),
      prevHash: (n % 256).toString(16).padStart(2, '0').repeat(32),
      coinb1: '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20',
      coinb2: `${n.toString(16).padStart(8, '0')}ffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000`,
      merkleBranch: ['aa'.repeat(32), 'bb'.repeat(32)],
      version: '20000000',
      nbits: '207fffff',
      ntime: (1_700_000_000 + n).toString(16),
    };
    this.live.set(job.id, job);
    this.current = job;
    return job;
  }

  currentJob(): StratumJob | null {
    return this.current;
  }

  reissueCurrentJob(): StratumJob | null {
    if (this.current === null) return null;
    const job = { ...this.current, id: (++this.seq).toString(16) };
    this.live.set(job.id, job);
    this.current = job;
    return job;
  }

  hasJob(jobId: string): boolean {
    return this.live.has(jobId);
  }

  async authorize(username: string, password: string): Promise<AuthorizeResult> {
    this.authorizeCalls.push({ username, password });
    if (this.authorizeDelayMs > 0) await new Promise((r) => setTimeout(r, this.authorizeDelayMs));
    const sep = username.search(/[._]/);
    const address = sep === -1 ? username : username.slice(0, sep);
    const worker = sep === -1 ? 'default' : username.slice(sep + 1);
    if (!GOOD_ADDRESSES.includes(address)) return { ok: false, message: `invalid payout address '${address}'` };
    return { ok: true, address, worker };
  }

  async submitShare(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    // Like the pool: over the session's pending limit only a block goes on, and this backend never sees blocks.
    if (ctx.blockOnly) return { ok: false, code: StratumErrorCode.Other, message: 'Too many submits pending; slow down' };
    if (this.holdSubmits !== null) await this.holdSubmits;
    const verdict = this.judge(ctx, req);
    this.shares.push({ ctx, req, verdict });
    return verdict;
  }

  private judge(ctx: ShareContext, req: SubmitRequest): ShareVerdict {
    if (req.versionBits !== undefined) {
      const bits = Number.parseInt(req.versionBits, 16) >>> 0;
      if ((bits & ~ctx.versionMask) >>> 0 !== 0) {
        return { ok: false, code: StratumErrorCode.Other, message: `version bits ${req.versionBits} outside mask` };
      }
    }
    // Duplicate = same header inputs, version bits included (the real pipeline compares header hashes).
    const key = [req.jobId, ctx.extranonce1.toString('hex'), req.extranonce2, req.ntime, req.nonce, req.versionBits ?? ''].join(':');
    if (this.seen.has(key)) return { ok: false, code: StratumErrorCode.Duplicate, message: 'Duplicate share' };
    this.seen.add(key);
    return { ok: true, isBlock: false, hashDisplay: `hash-${this.seen.size}`, actualDifficulty: ctx.jobDifficulty * 2 };
  }
}
