/**
 * The contract between the pool and a node family. Everything chain-specific (template formats, coinbase layout,
 * block encoding, RPC dialect, address rules) lives behind it, in chains/<family>/.
 * Amounts are bigint in the chain's smallest unit (1e-8 coin for Bitcoin and GXC): no floating-point money.
 */

export type ChainKind = 'bitcoin' | 'gxc';

/** SHA-256d work built from one node template: everything a Stratum V1 job needs, chain-agnostic. */
export interface Sha256dWork {
  /** Height of the block being mined. */
  height: number;
  /** Previous block hash as the node displays it (RPC hex). */
  prevHashDisplay: string;
  /** Header prev-hash bytes in serialization order. */
  prevHashInternal: Buffer;
  /** Header version from the template (miners may roll bits within the negotiated mask). */
  version: number;
  /** Compact bits written into the header (uint32). */
  bits: number;
  /** A header hash (as a little-endian integer) at or below this makes a block. */
  networkTarget: bigint;
  /** Template time and the earliest allowed header time. */
  curtime: number;
  mintime: number;
  /** coinbase = coinb1 || extranonce1 || extranonce2 || coinb2 (the non-witness serialization). */
  coinb1: Buffer;
  coinb2: Buffer;
  /** Stratum merkle branch (internal order) for the coinbase at index 0. */
  merkleBranch: Buffer[];
  /** Block reward to the pool (subsidy + fees), smallest unit. */
  reward: bigint;
  /** Number of transactions including the coinbase. */
  txCount: number;
  /** Changes whenever the template content changes (prev hash, transactions, value); used to skip no-op refreshes. */
  templateKey: string;
}

/** What a winning (or any) share fixes in the header. */
export interface BlockSolution {
  extranonce1: Buffer;
  extranonce2: Buffer;
  ntime: number;
  nonce: number;
  /** Final header version (template version with the miner's rolled bits applied). */
  version: number;
  /** The 80-byte header the miner hashed. */
  header: Buffer;
  /** sha256d(header) in display order (reversed digest). */
  hashDisplay: string;
}

export interface SubmitOutcome {
  /** The node took the block onto its chain. */
  accepted: boolean;
  /** The node's exact answer when not accepted (Bitcoin reason string, GXC -32603 message, transport error). */
  reason: string | null;
  /** Block hash as the chain knows it (display hex). */
  blockHash: string;
  /** The node's answer verbatim, for the log line. */
  raw: unknown;
  /**
   * No verdict: the answer was lost (transport error) or says the node holds the block without it being the tip
   * ('duplicate', 'inconclusive'). The block may be on the chain: keep it as a candidate and let the node's
   * chain decide (block lifecycle), never call it refused.
   */
  uncertain?: boolean;
}

export interface BlockStatus {
  /** The node has a block at this height on its main chain with this hash. */
  onMainChain: boolean;
  /** Confirmations (1 = tip) when on the main chain, else 0. */
  confirmations: number;
}

export interface NodeSyncState {
  /** Height of the node's tip. */
  tipHeight: number;
  /** False while the node is still catching up (orphan checks must wait). */
  synced: boolean;
}

export interface WalletPayment {
  address: string;
  amount: bigint;
}

export interface WalletTransaction {
  txid: string;
  /** Confirmations, -1 if the node says the transaction conflicted / was abandoned. */
  confirmations: number;
}

/** The node wallet the pool pays from. */
export interface ChainWallet {
  balance(): Promise<bigint>;
  /**
   * Sends one transaction (Bitcoin `sendmany`, amounts already merged per address) or one per recipient
   * (GXC `sendtoaddress`). Returns a txid per payment, in order.
   */
  send(payments: readonly WalletPayment[], comment: string): Promise<string[]>;
  /** Null when the wallet does not know the txid. */
  transaction(txid: string): Promise<WalletTransaction | null>;
  /** Recent wallet sends, newest first, for reconciliation after a crash. */
  recentSends(count: number): Promise<Array<WalletPayment & { txid: string; time: number }>>;
  /** Whether send() pays several recipients in one transaction (true for sendmany). */
  readonly batchesPayments: boolean;
}

/**
 * Ethash work on the same node template as a Sha256dWork (one template fetch serves both algorithms). On GXC both
 * algorithms mine against the same target (see chains/gxc/BRIDGE-ETHASH.md).
 */
export interface EthashWork {
  /** Height of the block being mined; also the Ethash block number (epoch = height / 30000). */
  height: number;
  prevHashDisplay: string;
  /** 64 lowercase hex: what miners hash with their nonce; commits to the block being mined. */
  headerHash: string;
  /** A final hash (big-endian integer, never reversed) at or below this makes a block. */
  networkTarget: bigint;
  /** The block's timestamp (fixed by the work: an Ethash miner cannot roll time). */
  timestamp: number;
  reward: bigint;
  txCount: number;
  templateKey: string;
}

/** Mix digest and final hash of one Ethash evaluation (64 lowercase hex each, never reversed). */
export interface EthashHashResult {
  mixDigest: string;
  finalHash: string;
}

/** A winning Ethash nonce with what the pool computed for it. */
export interface EthashSolution extends EthashHashResult {
  /** Full 64-bit nonce. */
  nonce: bigint;
}

/** Recomputes Ethash for (block number, header hash, nonce); the pool passes its verifier (off the event loop). */
export type EthashRehash = (blockNumber: number, headerHash: string, nonce: bigint) => Promise<EthashHashResult>;

/** Optional adapter capability: the chain accepts Ethash blocks (GXC `pow_ethash`). Bitcoin has none. */
export interface EthashCapability {
  /** Ethash work from the template `work` was built from (deterministic: same work, same header hash). */
  workFor(work: Sha256dWork): EthashWork;
  /**
   * Re-verifies the block with `rehash` (never submits one whose proof fails), then submits it. Never throws for a
   * node refusal.
   */
  submitBlock(work: EthashWork, solution: EthashSolution, rehash: EthashRehash): Promise<SubmitOutcome>;
}

export interface ChainAdapter {
  readonly kind: ChainKind;
  /** Present when the chain takes Ethash blocks too (GXC); absent for Bitcoin. */
  readonly ethash?: EthashCapability;
  /** Blocks before a coinbase can be spent (Bitcoin 100; GXC 6 on testnet, 100 on mainnet). */
  readonly coinbaseMaturity: number;
  readonly coinSymbol: string;
  /** Null when the address can receive the pool's payouts, else the reason it cannot. */
  validateAddress(address: string): string | null;
  /**
   * Fetches a template and builds work. `extranonceSize` = extranonce1 + extranonce2 bytes to leave in the
   * coinbase. Throws (RpcError / RpcTransportError / Error with a clear message) instead of inventing work.
   */
  getWork(extranonceSize: number): Promise<Sha256dWork>;
  /** The node's tip hash (display hex), polled for new-block detection. */
  getBestBlockHash(): Promise<string>;
  /** Long-poll for a new template if the node supports it; resolves when the template changed. */
  waitForTemplateChange?(work: Sha256dWork, signal: AbortSignal): Promise<void>;
  /** Assembles the block for `solution` on `work` and submits it. Never throws for a node refusal. */
  submitBlock(work: Sha256dWork, solution: BlockSolution): Promise<SubmitOutcome>;
  blockStatus(height: number, hash: string): Promise<BlockStatus>;
  syncState(): Promise<NodeSyncState>;
  readonly wallet: ChainWallet;
}
