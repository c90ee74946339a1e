/** Block (de)serialization for the devnet, as strict as Bitcoin Core's decoder. */
import { readVarInt, varInt } from '../../core/bytes.js';
import { serializeHeader, type HeaderFields, hashHeader } from '../../core/header.js';
import { sha256d } from '../../core/hash.js';
import { merkleRoot } from '../../core/merkle.js';
import { parseTx, serializeTx, txidOf, wtxidOf, type Tx } from '../../chains/bitcoin/tx.js';
import { WITNESS_SCALE_FACTOR } from './params.js';

export interface Block {
  header: HeaderFields;
  txs: Tx[];
}

export class BlockDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockDecodeError';
  }
}

/** Core's MAX_SIZE for CompactSize values. */
const MAX_COMPACT_SIZE = 0x02000000;

function readCanonicalVarInt(buf: Buffer, offset: number): { value: number; size: number } {
  const r = readVarInt(buf, offset);
  if (offset + r.size > buf.length) throw new BlockDecodeError('varint past end of data');
  if (!varInt(r.value).equals(buf.subarray(offset, offset + r.size))) throw new BlockDecodeError('non-canonical varint');
  if (r.value > MAX_COMPACT_SIZE) throw new BlockDecodeError('varint too large');
  return r;
}

/**
 * Parses one transaction and insists that re-serializing gives the same bytes: that refuses non-canonical
 * varints, a segwit marker without witness data ("superfluous witness record") and unknown flag bytes.
 */
export function parseTxStrict(buf: Buffer, offset: number): { tx: Tx; size: number } {
  if (buf[offset + 4] === 0x00 && buf[offset + 5] !== undefined && buf[offset + 5]! > 0x01) {
    throw new BlockDecodeError('unknown transaction optional data');
  }
  let parsed: { tx: Tx; size: number };
  try {
    parsed = parseTx(buf, offset);
  } catch (err) {
    throw new BlockDecodeError(err instanceof Error ? err.message : String(err));
  }
  const again = serializeTx(parsed.tx, true);
  if (!again.equals(buf.subarray(offset, offset + parsed.size))) {
    throw new BlockDecodeError('transaction is not in canonical serialization');
  }
  return parsed;
}

/** Parses a whole block; trailing bytes, truncation and non-canonical encodings are decode failures. */
export function parseBlock(raw: Buffer): Block {
  if (raw.length < 81) throw new BlockDecodeError('block shorter than a header and a transaction count');
  const header: HeaderFields = {
    version: raw.readInt32LE(0),
    prevHash: Buffer.from(raw.subarray(4, 36)),
    merkleRoot: Buffer.from(raw.subarray(36, 68)),
    time: raw.readUInt32LE(68),
    bits: raw.readUInt32LE(72),
    nonce: raw.readUInt32LE(76),
  };
  const count = readCanonicalVarInt(raw, 80);
  let p = 80 + count.size;
  const txs: Tx[] = [];
  for (let i = 0; i < count.value; i++) {
    if (p >= raw.length) throw new BlockDecodeError('block truncated');
    const { tx, size } = parseTxStrict(raw, p);
    txs.push(tx);
    p += size;
  }
  if (p !== raw.length) throw new BlockDecodeError('trailing bytes after the last transaction');
  return { header, txs };
}

export function headerBytes(block: Block): Buffer {
  // serializeHeader writes the version unsigned; a negative int32 has the same four bytes.
  return serializeHeader({ ...block.header, version: block.header.version >>> 0 });
}

export function blockHash(block: Block): { digest: Buffer; displayHex: string; value: bigint } {
  return hashHeader(headerBytes(block));
}

export function serializeBlock(block: Block, withWitness = true): Buffer {
  return Buffer.concat([headerBytes(block), varInt(block.txs.length), ...block.txs.map((tx) => serializeTx(tx, withWitness))]);
}

export function txWeight(tx: Tx): number {
  const stripped = serializeTx(tx, false).length;
  const full = serializeTx(tx, true).length;
  return stripped * (WITNESS_SCALE_FACTOR - 1) + full;
}

export function blockSizes(block: Block): { size: number; strippedSize: number; weight: number } {
  const size = serializeBlock(block, true).length;
  const strippedSize = serializeBlock(block, false).length;
  return { size, strippedSize, weight: strippedSize * (WITNESS_SCALE_FACTOR - 1) + size };
}

export function isCoinbase(tx: Tx): boolean {
  const input = tx.inputs[0];
  return tx.inputs.length === 1 && input !== undefined && input.prevIndex === 0xffffffff && input.prevTxid.every((b) => b === 0);
}

/**
 * Core's BlockMerkleRoot: the root plus whether the tree is "mutated" (two identical adjacent hashes at some
 * level, CVE-2012-2459), which makes a different transaction list hash to the same root.
 */
export function blockMerkleRoot(leaves: readonly Buffer[]): { root: Buffer; mutated: boolean } {
  let mutated = false;
  let level = leaves.slice();
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) if (level[i]!.equals(level[i + 1]!)) mutated = true;
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(sha256d(Buffer.concat([level[i]!, level[i + 1] ?? level[i]!])));
    }
    level = next;
  }
  return { root: level[0] ?? Buffer.alloc(32), mutated };
}

export const WITNESS_COMMITMENT_PREFIX = Buffer.from('6a24aa21a9ed', 'hex');

/** Index of the witness commitment output (the last output that looks like one), or -1 (Core's rule). */
export function witnessCommitmentIndex(coinbase: Tx): number {
  let found = -1;
  coinbase.outputs.forEach((o, i) => {
    if (o.scriptPubKey.length >= 38 && o.scriptPubKey.subarray(0, 6).equals(WITNESS_COMMITMENT_PREFIX)) found = i;
  });
  return found;
}

/** Witness merkle root over the block's wtxids, the coinbase counting as 32 zero bytes. */
export function witnessMerkleRoot(txs: readonly Tx[]): Buffer {
  return merkleRoot(txs.map((tx, i) => (i === 0 ? Buffer.alloc(32) : wtxidOf(tx))));
}

/** The commitment output script: OP_RETURN 0x24 aa21a9ed || sha256d(witness root || reserved value). */
export function witnessCommitmentScript(witnessRoot: Buffer, reservedValue: Buffer = Buffer.alloc(32)): Buffer {
  return Buffer.concat([WITNESS_COMMITMENT_PREFIX, sha256d(Buffer.concat([witnessRoot, reservedValue]))]);
}

export function txMerkleRoot(txs: readonly Tx[]): Buffer {
  return merkleRoot(txs.map((tx) => txidOf(tx)));
}
