/**
 * At most one block submission per previous block in flight, process-wide. On a chain where many shares are
 * blocks (a GXC testnet at difficulty 1, Bitcoin regtest) every miner finds several blocks on the same previous
 * block before the node has answered the first; sending them all floods the node with candidates it can only
 * refuse as stale. So:
 *   - the first candidate on a previous block is submitted;
 *   - a candidate arriving while that one is in flight waits for its verdict;
 *   - once the node accepted a block on that previous block, later candidates on it are not sent (they are
 *     credited as ordinary shares by the caller: the work was real, the block would be an orphan);
 *   - if the node refused it or gave no verdict, the next waiting candidate goes (a found block is not dropped).
 * Keyed by the previous block hash as the node displays it, so the SHA-256d and Ethash pools of one process
 * (which mine the same height on GXC) share one gate. Memory: a bounded number of previous blocks remembered,
 * a bounded number of waiters each.
 */

/** How the node answered a submitted candidate. */
export type BlockVerdict = 'accepted' | 'refused' | 'no-verdict';

/** The right to submit the one block in flight on a previous block; `settle` must be called exactly once. */
export interface BlockSlot {
  readonly prevHash: string;
  settle(verdict: BlockVerdict, acceptedHash?: string): void;
}

export type GateTurn =
  /** Submit now, then settle the slot with the node's verdict. */
  | { kind: 'submit'; slot: BlockSlot }
  /** The node already accepted `acceptedHash` on this previous block: do not send; credit as a share. */
  | { kind: 'superseded'; acceptedHash: string }
  /** Too many candidates already wait on this previous block (see maxWaitingPerPrev): not sent. */
  | { kind: 'overflow' };

export interface BlockGateStats {
  submitted: number;
  superseded: number;
  /** Candidates that had to wait for another's verdict. */
  waited: number;
  overflow: number;
}

export interface BlockGateOptions {
  /** Candidates allowed to wait per previous block (default 1000). */
  maxWaitingPerPrev?: number;
  /** Previous blocks remembered (default 256); the oldest idle ones are forgotten first. */
  maxPrevHashes?: number;
}

interface PrevState {
  inFlight: boolean;
  acceptedHash: string | null;
  waiters: ((turn: GateTurn) => void)[];
}

export class BlockGate {
  readonly stats: BlockGateStats = { submitted: 0, superseded: 0, waited: 0, overflow: 0 };
  private readonly maxWaitingPerPrev: number;
  private readonly maxPrevHashes: number;
  private readonly states = new Map<string, PrevState>();

  constructor(opts: BlockGateOptions = {}) {
    this.maxWaitingPerPrev = opts.maxWaitingPerPrev ?? 1000;
    this.maxPrevHashes = opts.maxPrevHashes ?? 256;
  }

  /**
   * The turn of a candidate on `prevHash` if it can be decided now ('submit' or 'superseded'), or 'busy' when
   * another candidate on it is in flight (then call `wait`). Synchronous, so nothing can slip in between.
   */
  acquire(prevHash: string): GateTurn | 'busy' {
    const state = this.state(prevHash);
    if (state.acceptedHash !== null) {
      this.stats.superseded++;
      return { kind: 'superseded', acceptedHash: state.acceptedHash };
    }
    if (state.inFlight) return 'busy';
    return this.grant(prevHash, state);
  }

  /** The turn of a candidate on `prevHash`, once the one in flight (if any) has its verdict. */
  wait(prevHash: string): Promise<GateTurn> {
    const now = this.acquire(prevHash);
    if (now !== 'busy') return Promise.resolve(now);
    const state = this.state(prevHash);
    if (state.waiters.length >= this.maxWaitingPerPrev) {
      this.stats.overflow++;
      return Promise.resolve({ kind: 'overflow' });
    }
    this.stats.waited++;
    return new Promise((resolve) => state.waiters.push(resolve));
  }

  /**
   * Convenience for callers without a foreground/background split: waits its turn and, when granted, runs
   * `submit` and settles with its verdict (a throw counts as no verdict). Resolves with what happened.
   */
  async offer(prevHash: string, submit: () => Promise<{ verdict: BlockVerdict; blockHash?: string }>): Promise<GateTurn['kind']> {
    const turn = await this.wait(prevHash);
    if (turn.kind !== 'submit') return turn.kind;
    let verdict: BlockVerdict = 'no-verdict';
    let blockHash: string | undefined;
    try {
      ({ verdict, blockHash } = await submit());
    } finally {
      turn.slot.settle(verdict, blockHash);
    }
    return 'submit';
  }

  /** Whether the node accepted a block on `prevHash` (through this gate). */
  acceptedOn(prevHash: string): string | null {
    return this.states.get(prevHash)?.acceptedHash ?? null;
  }

  private grant(prevHash: string, state: PrevState): GateTurn {
    state.inFlight = true;
    this.stats.submitted++;
    let settled = false;
    const slot: BlockSlot = {
      prevHash,
      settle: (verdict, acceptedHash) => {
        if (settled) return;
        settled = true;
        state.inFlight = false;
        if (verdict === 'accepted') {
          state.acceptedHash = acceptedHash ?? 'unknown';
          const waiters = state.waiters.splice(0);
          this.stats.superseded += waiters.length;
          for (const resolve of waiters) resolve({ kind: 'superseded', acceptedHash: state.acceptedHash });
          return;
        }
        // Refused or no verdict: the next candidate in line goes.
        const next = state.waiters.shift();
        if (next !== undefined) next(this.grant(prevHash, state));
      },
    };
    return { kind: 'submit', slot };
  }

  private state(prevHash: string): PrevState {
    let state = this.states.get(prevHash);
    if (state === undefined) {
      state = { inFlight: false, acceptedHash: null, waiters: [] };
      this.states.set(prevHash, state);
      this.forgetOldest();
    }
    return state;
  }

  /** Forgets the oldest previous blocks with nothing in flight or waiting (insertion order is age). */
  private forgetOldest(): void {
    if (this.states.size <= this.maxPrevHashes) return;
    for (const [key, state] of this.states) {
      if (this.states.size <= this.maxPrevHashes) return;
      if (!state.inFlight && state.waiters.length === 0) this.states.delete(key);
    }
  }
}
