/**
 * From a GXC template to Stratum work: picks the transactions that fit the node's 8 KB request limit (trimming
 * mempool transactions from the end, down to the coinbase alone), commits to exactly those, and builds the
 * bridge coinbase. Trimming happens here, not at submit time, because the header commitment must match the
 * transactions actually submitted. Pure: no I/O.
 */
import { reverseHex } from '../../core/bytes.js';
import { sha256d } from '../../core/hash.js';
import type { Sha256dWork } from '../types.js';
import { gxcAmountToUnits, gxcSubsidyUnits, unitsToGxcDecimal } from './amounts.js';
import { BRIDGE_HEADER_VERSION, BRIDGE_SCHEME, bridgeCommitment, buildBridgeCoinbase, type BridgeBlockFields } from './bridge.js';
import { gxcDifficultyToTarget, gxcTargetBits } from './difficulty.js';
import { widestEthashSubmitBlockJson } from './ethash-bridge.js';
import { stringifyExact, type ExactJson } from './json-text.js';
import { gxcTxId, isCoinbaseJson, type GxcTemplate, type GxcTransactionJson } from './template.js';

/** The node reads one recv() of at most 8191 bytes: request line + headers + body. */
export const GXC_NODE_RECV_BYTES = 8191;
/** Body budget: leaves 511 bytes of that recv for the HTTP request line and headers. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 7680;
/** Room for `{"jsonrpc":"2.0","id":<20 digits>,"method":"gxc_submitBlock","params":...}` around the params. */
export const JSONRPC_ENVELOPE_ALLOWANCE = 96;
/** Header nonces are 32-bit; the widest one sizes the body estimate. */
const WIDEST_NONCE = 0xffffffffn;
const WIDEST_TIMESTAMP = 9_999_999_999;

export interface LeftOutTransaction {
  txid: string;
  feeUnits: bigint;
}

export interface GxcWorkContext {
  /** The block fields every submission of this work carries (transactions after trimming). */
  fields: BridgeBlockFields;
  extranonceSize: number;
  /** Mempool transactions the template offered that were left out to respect the body limit. */
  leftOut: LeftOutTransaction[];
}

/** Sha256dWork plus what submitBlock needs to assemble the GXC block. */
export interface GxcWork extends Sha256dWork {
  readonly gxc: GxcWorkContext;
}

export function isGxcWork(work: Sha256dWork): work is GxcWork {
  return typeof (work as Partial<GxcWork>).gxc === 'object' && (work as Partial<GxcWork>).gxc !== null;
}

export interface SubmitBlockParts {
  hash: string;
  nonce: number | bigint;
  timestamp: number;
  header: Buffer;
  coinbase: Buffer;
}

/** The `submitblock` BLOCK object: the node's fields first, then the bridge proof it ignores. */
export function submitBlockJson(fields: BridgeBlockFields, parts: SubmitBlockParts): { [key: string]: ExactJson } {
  return {
    height: fields.height,
    hash: parts.hash,
    previousblockhash: fields.previousblockhash,
    nonce: typeof parts.nonce === 'bigint' ? parts.nonce : BigInt(parts.nonce),
    miner: fields.miner,
    timestamp: parts.timestamp,
    difficulty: fields.difficulty,
    transactions: fields.transactions as ExactJson[],
    consensus_type: 'pow',
    pool_bridge: BRIDGE_SCHEME,
    pool_header: parts.header.toString('hex'),
    pool_coinbase: parts.coinbase.toString('hex'),
    pool_merkle_branch: [],
  };
}

/** `[BLOCK]` as exact JSON text (the nonce as digits). */
export function submitParamsText(block: { [key: string]: ExactJson }): string {
  return stringifyExact([block]);
}

function txFeeUnits(tx: GxcTransactionJson): bigint {
  if (typeof tx.fee === 'number') return gxcAmountToUnits(tx.fee);
  const sum = (list: unknown): bigint =>
    Array.isArray(list)
      ? list.reduce<bigint>(
          (acc, o) => acc + (typeof (o as { amount?: unknown })?.amount === 'number' ? gxcAmountToUnits((o as { amount: number }).amount) : 0n),
          0n,
        )
      : 0n;
  const fee = sum(tx.inputs) - sum(tx.outputs);
  return fee > 0n ? fee : 0n;
}

/** The coinbase with outputs[0] paying `units`, under a new id (its content changed; the node takes ids as given). */
function coinbaseWithAmount(coinbase: GxcTransactionJson, units: bigint): GxcTransactionJson {
  const copy = structuredClone(coinbase);
  const amount = Number(unitsToGxcDecimal(units));
  const outputs = copy.outputs as Array<{ [key: string]: ExactJson }>;
  outputs[0]!.amount = amount;
  if ('value' in outputs[0]!) outputs[0]!.value = amount;
  if (typeof copy.amount === 'number') copy.amount = amount;
  const newId = sha256d(Buffer.from(`${BRIDGE_SCHEME}:${gxcTxId(coinbase)}:${units}`, 'utf8')).toString('hex');
  if ('hash' in copy) copy.hash = newId;
  if ('txid' in copy || !('hash' in copy)) copy.txid = newId;
  return copy;
}

/** The longest values a submission of this work can carry (hash, nonce, timestamp, header and coinbase sizes are fixed). */
function widestSubmitParts(height: number, poolTag: string, extranonceSize: number): SubmitBlockParts {
  const { coinb1, coinb2 } = buildBridgeCoinbase({ height, poolTag, extranonceSize, commitment: Buffer.alloc(32) });
  return {
    hash: '0'.repeat(64),
    nonce: WIDEST_NONCE,
    timestamp: WIDEST_TIMESTAMP,
    header: Buffer.alloc(80),
    coinbase: Buffer.alloc(coinb1.length + extranonceSize + coinb2.length),
  };
}

/** Params bytes of the widest submission of these fields, SHA-256d or Ethash (one trimming serves both). */
function widestBodyBytes(fields: BridgeBlockFields, widestParts: SubmitBlockParts): number {
  const sha = Buffer.byteLength(submitParamsText(submitBlockJson(fields, widestParts)), 'utf8');
  const ethash = Buffer.byteLength(submitParamsText(widestEthashSubmitBlockJson(fields)), 'utf8');
  return Math.max(sha, ethash);
}

export interface BuildGxcWorkOptions {
  template: GxcTemplate;
  poolAddress: string;
  poolTag: string;
  extranonceSize: number;
  maxRequestBodyBytes?: number;
}

export function buildGxcWork(opts: BuildGxcWorkOptions): GxcWork {
  const t = opts.template;
  const coinbase = t.transactions[0];
  if (!coinbase || !isCoinbaseJson(coinbase)) throw new Error(`GXC template at height ${t.height} has no coinbase at index 0`);
  const extraCoinbases = t.transactions.slice(1).filter((tx) => isCoinbaseJson(tx)).length;
  if (extraCoinbases > 0) throw new Error(`GXC template at height ${t.height} has ${extraCoinbases + 1} coinbase transactions`);
  const out0 = (coinbase.outputs as Array<{ address?: unknown; amount?: unknown }> | undefined)?.[0];
  if (!out0 || typeof out0.address !== 'string' || typeof out0.amount !== 'number') {
    throw new Error(`GXC template coinbase at height ${t.height} has no outputs[0] with address and amount`);
  }
  if (out0.address !== opts.poolAddress) {
    throw new Error(`GXC template coinbase pays ${out0.address}, not the pool address ${opts.poolAddress}: refusing to mine it`);
  }
  const templateUnits = gxcAmountToUnits(out0.amount);
  const subsidy = t.blockReward !== null ? gxcAmountToUnits(t.blockReward) : gxcSubsidyUnits(t.height);
  const budget = (opts.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES) - JSONRPC_ENVELOPE_ALLOWANCE;

  const mempool = t.transactions.slice(1);
  // First guess from each transaction's JSON size, so a huge mempool costs one pass; the loop below confirms
  // with the exact text (an adjusted coinbase amount can change a few bytes).
  let kept = 0;
  let estimate = 0;
  const widestParts = widestSubmitParts(t.height, opts.poolTag, opts.extranonceSize);
  const base = { height: t.height, previousblockhash: t.previousBlockHash, miner: opts.poolAddress, difficulty: t.difficulty };
  const room = budget - widestBodyBytes({ ...base, transactions: [coinbase] }, widestParts);
  while (kept < mempool.length) {
    estimate += Buffer.byteLength(stringifyExact(mempool[kept] as ExactJson), 'utf8') + 1;
    if (estimate > room) break;
    kept++;
  }
  for (;;) {
    const keptTxs = mempool.slice(0, kept);
    let cb = coinbase;
    let rewardUnits = templateUnits;
    if (kept < mempool.length) {
      // The template's coinbase may include the left-out fees; never claim more than subsidy + kept fees.
      const allowed = subsidy + keptTxs.reduce((acc, tx) => acc + txFeeUnits(tx), 0n);
      if (templateUnits > allowed) {
        cb = coinbaseWithAmount(coinbase, allowed);
        rewardUnits = allowed;
      }
    }
    const fields: BridgeBlockFields = { ...base, transactions: [cb, ...keptTxs] };
    const commitment = bridgeCommitment(fields);
    const { coinb1, coinb2 } = buildBridgeCoinbase({ height: t.height, poolTag: opts.poolTag, extranonceSize: opts.extranonceSize, commitment });
    const size = widestBodyBytes(fields, widestParts);
    if (size > budget) {
      if (kept === 0) {
        throw new Error(`GXC block with the coinbase alone needs ${size} bytes of params; the node's request limit leaves ${budget}`);
      }
      kept--;
      continue;
    }
    const leftOut = mempool.slice(kept).map((tx) => ({ txid: gxcTxId(tx), feeUnits: txFeeUnits(tx) }));
    return {
      height: t.height,
      prevHashDisplay: t.previousBlockHash,
      prevHashInternal: Buffer.from(reverseHex(t.previousBlockHash), 'hex'),
      version: BRIDGE_HEADER_VERSION,
      bits: gxcTargetBits(t.difficulty),
      networkTarget: gxcDifficultyToTarget(t.difficulty),
      curtime: t.curtime,
      mintime: t.mintime,
      coinb1,
      coinb2,
      merkleBranch: [],
      reward: rewardUnits,
      txCount: fields.transactions.length,
      templateKey: commitment.toString('hex'),
      gxc: { fields, extranonceSize: opts.extranonceSize, leftOut },
    };
  }
}
