/**
 * The pool's coinbase transaction, split for Stratum around the extranonce:
 *   coinbase (non-witness) = coinb1 || extranonce || coinb2
 * Layout (as recorded in bitcoin-submitblock-rejects.json): tx version 2, one input (null prevout), scriptSig =
 * BIP34 height push | push of the extranonce bytes | push of the pool tag, sequence ffffffff; outputs = the full
 * coinbasevalue to the pool script, then the witness commitment (when present); locktime 0.
 */
import { merkleRoot } from '../../core/merkle.js';
import { sha256d } from '../../core/hash.js';
import { u32LE, u64LE, varInt } from '../../core/bytes.js';
import { bip34HeightPush, pushData } from '../../core/script.js';

export const MAX_COINBASE_SCRIPTSIG = 100;
export const COINBASE_TX_VERSION = 2;
export const COINBASE_SEQUENCE = 0xffffffff;
export const COINBASE_LOCKTIME = 0;
/** BIP141 commitment header: OP_RETURN, push 36, magic aa21a9ed. */
export const WITNESS_COMMITMENT_PREFIX = Buffer.from('6a24aa21a9ed', 'hex');
/** The coinbase witness reserved value the pool always uses (32 zero bytes). */
export const WITNESS_RESERVED_VALUE = Buffer.alloc(32);

export interface CoinbaseParams {
  height: number;
  /** Full template coinbasevalue (subsidy + fees), satoshi. */
  value: bigint;
  payoutScript: Buffer;
  /** Complete commitment output script, or null for a block without one. */
  witnessCommitment: Buffer | null;
  extranonceSize: number;
  /** Text pushed after the extranonce (e.g. "/gxc-pool/"); empty pushes nothing. */
  poolTag: string;
}

export interface CoinbaseParts {
  coinb1: Buffer;
  coinb2: Buffer;
  extranonceSize: number;
  /** Whether the coinbase carries the witness reserved value (true whenever there is a commitment output). */
  hasWitness: boolean;
}

/** Witness commitment script from wtxids in internal order (the coinbase's own wtxid counts as 32 zero bytes). */
export function witnessCommitmentScript(wtxidsInternal: readonly Buffer[], reserved = WITNESS_RESERVED_VALUE): Buffer {
  const root = merkleRoot([Buffer.alloc(32), ...wtxidsInternal]);
  return Buffer.concat([WITNESS_COMMITMENT_PREFIX, sha256d(Buffer.concat([root, reserved]))]);
}

/** Splits the coinbase around the extranonce; throws when the scriptSig would exceed 100 bytes or inputs are bad. */
export function buildCoinbase(p: CoinbaseParams): CoinbaseParts {
  if (!Number.isInteger(p.extranonceSize) || p.extranonceSize < 1 || p.extranonceSize > 32) {
    throw new RangeError(`extranonce size must be 1..32 bytes, got ${p.extranonceSize}`);
  }
  if (p.value < 0n || p.value > 0xffffffffffffffffn) throw new RangeError(`coinbase value out of range: ${p.value}`);
  if (p.payoutScript.length === 0) throw new Error('empty payout script');
  const heightPush = bip34HeightPush(p.height);
  // Direct push opcode for the extranonce (1..32 < 0x4c), written just before the extranonce itself.
  const extranoncePushPrefix = Buffer.from([p.extranonceSize]);
  const tag = Buffer.from(p.poolTag, 'utf8');
  const tagPush = tag.length > 0 ? pushData(tag) : Buffer.alloc(0);
  const scriptSigLength = heightPush.length + 1 + p.extranonceSize + tagPush.length;
  if (scriptSigLength > MAX_COINBASE_SCRIPTSIG) {
    throw new Error(
      `coinbase scriptSig would be ${scriptSigLength} bytes (limit ${MAX_COINBASE_SCRIPTSIG}): shorten the pool tag ` +
        `(${tag.length} bytes) or the extranonce (${p.extranonceSize} bytes)`,
    );
  }
  const coinb1 = Buffer.concat([
    u32LE(COINBASE_TX_VERSION),
    varInt(1),
    Buffer.alloc(32),
    u32LE(0xffffffff),
    varInt(scriptSigLength),
    heightPush,
    extranoncePushPrefix,
  ]);
  const outputs: Buffer[] = [outputBytes(p.value, p.payoutScript)];
  if (p.witnessCommitment) outputs.push(outputBytes(0n, p.witnessCommitment));
  const coinb2 = Buffer.concat([tagPush, u32LE(COINBASE_SEQUENCE), varInt(outputs.length), ...outputs, u32LE(COINBASE_LOCKTIME)]);
  return { coinb1, coinb2, extranonceSize: p.extranonceSize, hasWitness: p.witnessCommitment !== null };
}

function outputBytes(value: bigint, script: Buffer): Buffer {
  return Buffer.concat([u64LE(value), varInt(script.length), script]);
}

/** The non-witness coinbase (what the txid and the merkle root use). */
export function coinbaseWithoutWitness(parts: CoinbaseParts, extranonce: Buffer): Buffer {
  if (extranonce.length !== parts.extranonceSize) {
    throw new Error(`extranonce is ${extranonce.length} bytes, the coinbase expects ${parts.extranonceSize}`);
  }
  return Buffer.concat([parts.coinb1, extranonce, parts.coinb2]);
}

/**
 * The coinbase as it goes into the block: with BIP144 marker/flag and the 32-byte reserved value as its only
 * witness item when the block has a commitment; otherwise the plain serialization.
 */
export function coinbaseForBlock(parts: CoinbaseParts, extranonce: Buffer): Buffer {
  const plain = coinbaseWithoutWitness(parts, extranonce);
  if (!parts.hasWitness) return plain;
  return Buffer.concat([
    plain.subarray(0, 4),
    Buffer.from([0x00, 0x01]),
    plain.subarray(4, plain.length - 4),
    varInt(1),
    varInt(WITNESS_RESERVED_VALUE.length),
    WITNESS_RESERVED_VALUE,
    plain.subarray(plain.length - 4),
  ]);
}
