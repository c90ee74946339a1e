/**
 * The payout scheme contract. A scheme is pure: given a block's reward and the shares of its round (read from the
 * share ledger newest first, starting at the block's own share), it says who gets what, in the chain's smallest
 * unit, and which share weight earned it. The same inputs always give the same Allocation, so the API can show for
 * any block which shares earned what.
 */

export type SchemeName = 'pplns' | 'prop' | 'solo';

/** A share as the schemes see it: `difficulty` is the difficulty the job was issued with. */
export interface WeightedShare {
  id: number;
  address: string;
  difficulty: number;
}

/** What a scheme needs to know about the block to delimit its round. */
export interface RoundContext {
  /** Id of the share that found the block (the round is read back from here); null → no shares, finder takes all. */
  blockShareId: number | null;
  /** Network difficulty the block was found at (PPLNS window size). */
  networkDifficulty: number;
  /**
   * PROP: id of the share that found the pool's previous block (shares with id <= this belong to earlier rounds),
   * or null when this is the pool's first block. Ignored by the other schemes.
   */
  previousRoundShareId: number | null;
}

/** A share cut by the PPLNS window: only `countedWeight` of its `weight` is inside the window. */
export interface PartialShare {
  id: number;
  address: string;
  weight: bigint;
  countedWeight: bigint;
}

export interface RoundSummary {
  /** PPLNS: the exact window (N × network difficulty, in weight units). Null for PROP/SOLO. */
  windowWeight: bigint | null;
  /** Weight actually counted (== windowWeight when the ledger held enough shares). */
  countedWeight: bigint;
  /** Shares counted (a partial share counts as one). */
  shareCount: number;
  /** Newest and oldest counted share ids (null when no share was counted). */
  newestShareId: number | null;
  oldestShareId: number | null;
  /** The oldest share when the window cut it in the middle. */
  partialShare: PartialShare | null;
}

/** Per-address tally of one round before money is attached. */
export interface AddressWeight {
  address: string;
  weight: bigint;
  shareCount: number;
}

export interface TallyResult {
  round: RoundSummary;
  /** Sorted by address. */
  weights: AddressWeight[];
}

/**
 * Incremental reading of a round, so a large PPLNS window can be streamed from the store page by page without
 * holding every share in memory.
 */
export interface RoundTally {
  /**
   * Feeds the next OLDER share (ids strictly decreasing). Returns true while more shares may be needed, false
   * once the round is complete (the share passed in may have been counted partially, or not at all).
   */
  add(share: WeightedShare): boolean;
  readonly complete: boolean;
  result(): TallyResult;
}

export interface MinerCredit {
  address: string;
  amount: bigint;
  /** Share weight (2^-32 difficulty units) that earned `amount` (0 for a finder paid only the remainder). */
  weight: bigint;
  shareCount: number;
}

export interface Allocation {
  scheme: SchemeName;
  reward: bigint;
  feeBasisPoints: number;
  /** floor(reward × bps / 10000) to `feeAddress` (null only when the fee is zero). */
  fee: bigint;
  feeAddress: string | null;
  /** Miners, sorted by address. Sum of amounts + fee == reward, always. */
  credits: MinerCredit[];
  /** Units left by the integer division of the miners' part; included in the finder's credit. */
  remainder: bigint;
  remainderTo: string;
  round: RoundSummary;
}

export interface SplitInput {
  reward: bigint;
  /** The block's payout address: takes the rounding remainder (and everything when the round is empty). */
  finder: string;
  round: RoundContext;
  /** The round's shares, newest first, starting at the block's share. Extra older shares are ignored. */
  shares: readonly WeightedShare[];
}

export interface PayoutScheme {
  readonly name: SchemeName;
  readonly feeBasisPoints: number;
  readonly feeAddress: string | null;
  /** Starts reading a round for a block; feed it shares newest first. */
  startTally(round: RoundContext): RoundTally;
  /** Attaches money to a finished tally. */
  allocate(reward: bigint, finder: string, tally: TallyResult): Allocation;
  /** startTally + add every share + allocate, for callers that already hold the shares. */
  split(input: SplitInput): Allocation;
}
