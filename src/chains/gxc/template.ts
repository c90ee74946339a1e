/**
 * The GXC node's block template (getblocktemplate / gxc_getBlockTemplate), validated with zod.
 * `transactions[0]` is the coinbase; `difficulty` is the real network difficulty (leading hex zeros); `target`
 * and `bits` are hard-coded by the node and ignored here; `consensus_type`/`block_type` "pos" marks a
 * proof-of-stake height that a PoW pool must not mine. Transactions are kept as the node sent them, because
 * they go back to the node verbatim in `submitblock`.
 */
import { z } from 'zod';
import type { JsonValue } from '../../rpc/types.js';

const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters');
const amount = z.number().finite().nonnegative();

export const gxcOutputSchema = z.looseObject({
  address: z.string(),
  amount,
  script: z.string().optional(),
});

export const gxcTransactionSchema = z.looseObject({
  txid: z.string().optional(),
  hash: z.string().optional(),
  is_coinbase: z.boolean().optional(),
  coinbase: z.boolean().optional(),
  type: z.string().optional(),
  fee: amount.optional(),
  outputs: z.array(gxcOutputSchema).optional(),
  inputs: z.array(z.looseObject({ amount: amount.optional() })).optional(),
});

export const gxcTemplateSchema = z.looseObject({
  version: z.number().int().optional(),
  previousblockhash: hex64,
  height: z.number().int().nonnegative(),
  transactions: z.array(gxcTransactionSchema),
  difficulty: z.number().finite().positive(),
  curtime: z.number().int().positive().optional(),
  mintime: z.number().int().positive().optional(),
  coinbasevalue: z.number().int().nonnegative().optional(),
  block_reward: amount.optional(),
  reward: amount.optional(),
  consensus_type: z.string().optional(),
  block_type: z.string().optional(),
});

export type GxcTransactionJson = { [key: string]: JsonValue };

export interface GxcTemplate {
  height: number;
  previousBlockHash: string;
  difficulty: number;
  curtime: number;
  mintime: number;
  /** Subsidy the node states (block_reward / reward), in GXC; null when absent. */
  blockReward: number | null;
  /** "pow" or "pos" (from consensus_type, else block_type; absent means pow, as the node reads it). */
  consensusType: string;
  /** The transactions exactly as the node sent them, coinbase first. */
  transactions: GxcTransactionJson[];
}

export function isCoinbaseJson(tx: { [key: string]: unknown }): boolean {
  return tx.is_coinbase === true || tx.coinbase === true || (typeof tx.type === 'string' && tx.type.toLowerCase() === 'coinbase');
}

/** The id the node uses for a transaction (merkle leaf): `hash`, else `txid`. */
export function gxcTxId(tx: { [key: string]: unknown }): string {
  const id = typeof tx.hash === 'string' && tx.hash ? tx.hash : tx.txid;
  if (typeof id !== 'string' || id.length === 0) throw new Error('GXC transaction without hash/txid');
  return id;
}

/** Parses and checks a template; throws an Error naming every problem (never returns half-valid work). */
export function parseGxcTemplate(raw: unknown, nowSeconds: number = Math.floor(Date.now() / 1000)): GxcTemplate {
  const parsed = gxcTemplateSchema.safeParse(raw);
  if (!parsed.success) {
    // One line (it goes into one log line), every problem with the field it is about.
    const problems = parsed.error.issues.map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`);
    throw new Error(`GXC block template is malformed: ${problems.join('; ')}`);
  }
  const t = parsed.data;
  const transactions = (raw as { transactions: GxcTransactionJson[] }).transactions;
  for (const [i, tx] of transactions.entries()) {
    try {
      gxcTxId(tx);
    } catch {
      throw new Error(`GXC block template transaction ${i} has no hash/txid`);
    }
  }
  const consensusType = (t.consensus_type ?? t.block_type ?? 'pow').toLowerCase();
  const curtime = t.curtime ?? nowSeconds;
  return {
    height: t.height,
    previousBlockHash: t.previousblockhash.toLowerCase(),
    difficulty: t.difficulty,
    curtime,
    mintime: t.mintime ?? curtime,
    blockReward: t.block_reward ?? t.reward ?? null,
    consensusType,
    transactions,
  };
}

export function isProofOfStakeTemplate(t: Pick<GxcTemplate, 'consensusType'>): boolean {
  return t.consensusType === 'pos';
}

/** A GXC-shaped template (as opposed to a BIP22 one): coinbase object at index 0 or a consensus_type field. */
export function looksLikeGxcTemplate(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const r = raw as Record<string, unknown>;
  if (Array.isArray(r.rules) || typeof r.default_witness_commitment === 'string') return false;
  const first = Array.isArray(r.transactions) ? (r.transactions[0] as Record<string, unknown> | undefined) : undefined;
  const coinbaseFirst = !!first && typeof first === 'object' && isCoinbaseJson(first);
  return (coinbaseFirst || typeof r.consensus_type === 'string' || typeof r.block_type === 'string') && typeof r.difficulty === 'number';
}

/** A BIP22 template as Bitcoin Core returns it: rules, bits, coinbasevalue and hex transactions. */
export function looksLikeBip22Template(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return false;
  const r = raw as Record<string, unknown>;
  if (typeof r.consensus_type === 'string' || typeof r.block_type === 'string') return false;
  const txs = r.transactions;
  const hexTxs = Array.isArray(txs) && txs.every((t) => !!t && typeof t === 'object' && typeof (t as Record<string, unknown>).data === 'string');
  return Array.isArray(r.rules) && typeof r.bits === 'string' && typeof r.coinbasevalue === 'number' && hexTxs;
}
