import { difficultyToWeight, LedgerInputError } from './weight.js';
import type { AddressWeight, PartialShare, RoundTally, TallyResult, WeightedShare } from './types.js';

/**
 * Shared bookkeeping for every scheme's tally: order checks and per-address sums. A scheme only decides how much
 * of each incoming share counts (`limit`), via the constructor options.
 */
export interface TallyRules {
  /** Shares newer than this are not part of the round (the block's own share id); null → the round is empty. */
  newestAllowedId: number | null;
  /** Shares with id <= this belong to an earlier round (PROP); null → no lower boundary. */
  olderBoundaryId: number | null;
  /** Total weight the round holds (PPLNS window); null → unbounded. */
  windowWeight: bigint | null;
  /** Stop after this many shares (SOLO: the finder's share only); null → unbounded. */
  maxShares: number | null;
}

export class WindowTally implements RoundTally {
  private readonly perAddress = new Map<string, AddressWeight>();
  private counted = 0n;
  private shareCount = 0;
  private newestId: number | null = null;
  private oldestId: number | null = null;
  private lastSeenId: number | null = null;
  private partial: PartialShare | null = null;
  private done: boolean;

  constructor(private readonly rules: TallyRules) {
    this.done = rules.newestAllowedId === null || rules.windowWeight === 0n || rules.maxShares === 0;
  }

  get complete(): boolean {
    return this.done;
  }

  add(share: WeightedShare): boolean {
    if (this.done) return false;
    if (!Number.isSafeInteger(share.id)) throw new LedgerInputError(`share id must be an integer, got ${String(share.id)}`);
    if (typeof share.address !== 'string' || share.address.length === 0) {
      throw new LedgerInputError(`share ${share.id} has no address`);
    }
    if (this.lastSeenId !== null && share.id >= this.lastSeenId) {
      throw new LedgerInputError(`shares must come newest first: ${share.id} after ${this.lastSeenId}`);
    }
    this.lastSeenId = share.id;
    const newest = this.rules.newestAllowedId;
    if (newest !== null && share.id > newest) {
      throw new LedgerInputError(`share ${share.id} is newer than the block's share ${newest}`);
    }
    if (this.rules.olderBoundaryId !== null && share.id <= this.rules.olderBoundaryId) {
      this.done = true; // reached the previous round
      return false;
    }
    const weight = difficultyToWeight(share.difficulty);
    let counted = weight;
    const window = this.rules.windowWeight;
    if (window !== null && this.counted + weight >= window) {
      counted = window - this.counted;
      if (counted < weight) this.partial = { id: share.id, address: share.address, weight, countedWeight: counted };
      this.done = true;
    }
    this.credit(share, counted);
    if (this.rules.maxShares !== null && this.shareCount >= this.rules.maxShares) this.done = true;
    return !this.done;
  }

  private credit(share: WeightedShare, counted: bigint): void {
    const entry = this.perAddress.get(share.address) ?? { address: share.address, weight: 0n, shareCount: 0 };
    entry.weight += counted;
    entry.shareCount += 1;
    this.perAddress.set(share.address, entry);
    this.counted += counted;
    this.shareCount += 1;
    if (this.newestId === null) this.newestId = share.id;
    this.oldestId = share.id;
  }

  result(): TallyResult {
    const weights = [...this.perAddress.values()].map((w) => ({ ...w })).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return {
      round: {
        windowWeight: this.rules.windowWeight,
        countedWeight: this.counted,
        shareCount: this.shareCount,
        newestShareId: this.newestId,
        oldestShareId: this.oldestId,
        partialShare: this.partial ? { ...this.partial } : null,
      },
      weights,
    };
  }
}
