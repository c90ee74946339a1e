/** The block index entry and the chain's listener/option types. */
import type { HeaderFields } from '../../core/header.js';
import type { Block } from './block.js';
import type { MempoolEntry } from './mempool.js';
import type { BlockUndo } from './utxo.js';

export interface BlockEntry {
  /** Display-order hash (RPC hex). */
  hash: string;
  height: number;
  prev: BlockEntry | null;
  header: HeaderFields;
  /** The block's transactions; null for a header stored without valid data (a mutated body was refused). */
  block: Block | null;
  /** Total work of the chain ending here. */
  chainWork: bigint;
  /** Median time past ending at this block (this block and up to 10 ancestors). */
  medianTime: number;
  /** Arrival order: the earlier of two equal-work tips stays active, as in Core. */
  sequence: number;
  /** Why this block (or an ancestor: 'bad-prevblk') is invalid; null while valid. */
  failure: string | null;
  /** Set by invalidateblock (as opposed to a consensus failure). */
  manuallyInvalidated: boolean;
  /** Whether the block was connected to the main chain at least once (Core's BLOCK_VALID_SCRIPTS). */
  fullyValidated: boolean;
  /** Undo data while on the main chain. */
  undo: BlockUndo | null;
  /** Unix seconds when the devnet first stored it. */
  receivedTime: number;
}

export interface ChainListener {
  blockConnected?(entry: BlockEntry): void;
  blockDisconnected?(entry: BlockEntry): void;
  txAccepted?(entry: MempoolEntry): void;
}

export interface ChainOptions {
  /** Compact bits for blocks above the bootstrap height (default 1e035000, see params.ts). */
  bits?: string;
  /** Heights 0..bootstrapHeight use the pow limit so the devnet can mine them at once (default 110). */
  bootstrapHeight?: number;
  /** Clock in unix seconds (tests move it). */
  now?: () => number;
}
