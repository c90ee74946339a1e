/**
 * Consensus parameters of the Bitcoin-flavoured devnet: regtest-like (BIP34/65/66, CSV, segwit and taproot active
 * from height 1, halving every 150 blocks, coinbase maturity 100), with fixed difficulty.
 *
 * Difficulty: there is no retarget. Blocks at heights 0..bootstrapHeight use the proof-of-work limit (207fffff,
 * about 2 hashes per block) so the devnet can mine its own maturity bootstrap instantly at start; every later
 * block must carry `bits` exactly ('bad-diffbits' otherwise).
 *
 * Default `bits` = 1e035000: target 0x035000 · 2^216, i.e. 2^256 / (target + 1) ≈ 5.06 million sha256d hashes per
 * block on average — about 5 s for one core at 1 MH/s, 10 s at 0.5 MH/s (node:crypto does 0.3–1 MH/s per core).
 */
import { bitsToTarget, decodeBits } from '../../core/target.js';

export const POW_LIMIT_BITS = '207fffff';
export const POW_LIMIT = 0x7fffffn << 232n;
export const DEFAULT_BITS = '1e035000';
export const DEFAULT_BOOTSTRAP_HEIGHT = 110;

export const COINBASE_MATURITY = 100;
export const HALVING_INTERVAL = 150;
export const INITIAL_SUBSIDY = 50n * 100_000_000n;
export const MAX_BLOCK_WEIGHT = 4_000_000;
export const MAX_BLOCK_SIGOPS_COST = 80_000;
export const WITNESS_SCALE_FACTOR = 4;
/** Core refuses headers more than 2 hours ahead of its clock. */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Header version the devnet writes (BIP9 top bits, no signalling). */
export const BLOCK_VERSION = 0x20000000;
/** Fixed genesis time, so a chain persisted in a data dir keeps its genesis across restarts. */
export const GENESIS_TIME = 1_700_000_000;

export interface ChainParams {
  /** Compact bits every block above bootstrapHeight must carry (8 hex digits). */
  bits: string;
  /** Last height mined at the proof-of-work limit. */
  bootstrapHeight: number;
}

/** Validates bits as a usable target at or below the pow limit; returns it normalized to 8 lowercase hex digits. */
export function normalizeBits(bits: string): string {
  if (!/^[0-9a-fA-F]{8}$/.test(bits)) throw new Error(`devnet bits must be 8 hex digits, got "${bits}"`);
  const d = decodeBits(bits);
  if (d.negative || d.overflow || d.target === 0n) throw new Error(`devnet bits ${bits} do not encode a valid target`);
  if (d.target > POW_LIMIT) throw new Error(`devnet bits ${bits} are easier than the pow limit ${POW_LIMIT_BITS}`);
  return bits.toLowerCase();
}

export function expectedBits(params: ChainParams, height: number): string {
  return height <= params.bootstrapHeight ? POW_LIMIT_BITS : params.bits;
}

export function blockSubsidy(height: number): bigint {
  const halvings = Math.floor(height / HALVING_INTERVAL);
  return halvings >= 64 ? 0n : INITIAL_SUBSIDY >> BigInt(halvings);
}

/** Work a block with these bits adds to its chain: 2^256 / (target + 1), as Core's GetBlockProof. */
export function blockProof(bits: number): bigint {
  const target = bitsToTarget(bits);
  return (1n << 256n) / (target + 1n);
}
