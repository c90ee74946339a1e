/** Bitcoin transaction (de)serialization with BIP144 witness support. Pure: no I/O. */
import { sha256d } from '../../core/hash.js';
import { readVarInt, reverseBuf, u32LE, u64LE, varInt } from '../../core/bytes.js';

export interface TxInput {
  /** Previous txid in internal order. */
  prevTxid: Buffer;
  prevIndex: number;
  scriptSig: Buffer;
  sequence: number;
  /** Witness stack items (empty when none). */
  witness: Buffer[];
}

export interface TxOutput {
  value: bigint;
  scriptPubKey: Buffer;
}

export interface Tx {
  version: number;
  inputs: TxInput[];
  outputs: TxOutput[];
  locktime: number;
}

export function hasWitness(tx: Tx): boolean {
  return tx.inputs.some((i) => i.witness.length > 0);
}

export function serializeTx(tx: Tx, withWitness = true): Buffer {
  const segwit = withWitness && hasWitness(tx);
  const parts: Buffer[] = [u32LE(tx.version)];
  if (segwit) parts.push(Buffer.from([0x00, 0x01]));
  parts.push(varInt(tx.inputs.length));
  for (const i of tx.inputs) {
    parts.push(i.prevTxid, u32LE(i.prevIndex), varInt(i.scriptSig.length), i.scriptSig, u32LE(i.sequence));
  }
  parts.push(varInt(tx.outputs.length));
  for (const o of tx.outputs) parts.push(u64LE(o.value), varInt(o.scriptPubKey.length), o.scriptPubKey);
  if (segwit) {
    for (const i of tx.inputs) {
      parts.push(varInt(i.witness.length));
      for (const item of i.witness) parts.push(varInt(item.length), item);
    }
  }
  parts.push(u32LE(tx.locktime));
  return Buffer.concat(parts);
}

/** Parses one transaction at `offset`; returns it and the number of bytes it used. Throws on truncation. */
export function parseTx(buf: Buffer, offset = 0): { tx: Tx; size: number } {
  let p = offset;
  const need = (n: number): void => {
    if (p + n > buf.length) throw new RangeError('transaction truncated');
  };
  const vi = (): number => {
    need(1);
    const { value, size } = readVarInt(buf, p);
    need(size);
    p += size;
    return value;
  };
  const bytes = (n: number): Buffer => {
    need(n);
    const b = buf.subarray(p, p + n);
    p += n;
    return Buffer.from(b);
  };
  need(4);
  const version = buf.readInt32LE(p);
  p += 4;
  let segwit = false;
  if (buf[p] === 0x00 && buf[p + 1] === 0x01) {
    segwit = true;
    p += 2;
  }
  const inputs: TxInput[] = [];
  const nIn = vi();
  for (let k = 0; k < nIn; k++) {
    const prevTxid = bytes(32);
    need(4);
    const prevIndex = buf.readUInt32LE(p);
    p += 4;
    const scriptSig = bytes(vi());
    need(4);
    const sequence = buf.readUInt32LE(p);
    p += 4;
    inputs.push({ prevTxid, prevIndex, scriptSig, sequence, witness: [] });
  }
  const outputs: TxOutput[] = [];
  const nOut = vi();
  for (let k = 0; k < nOut; k++) {
    need(8);
    const value = buf.readBigUInt64LE(p);
    p += 8;
    outputs.push({ value, scriptPubKey: bytes(vi()) });
  }
  if (segwit) {
    for (const input of inputs) {
      const items = vi();
      for (let k = 0; k < items; k++) input.witness.push(bytes(vi()));
    }
  }
  need(4);
  const locktime = buf.readUInt32LE(p);
  p += 4;
  return { tx: { version, inputs, outputs, locktime }, size: p - offset };
}

/** txid (internal order): sha256d of the non-witness serialization. */
export function txidOf(tx: Tx): Buffer {
  return sha256d(serializeTx(tx, false));
}

/** wtxid (internal order): sha256d of the witness serialization (== txid without witness). */
export function wtxidOf(tx: Tx): Buffer {
  return sha256d(serializeTx(tx, true));
}

export function displayHex(internal: Buffer): string {
  return reverseBuf(internal).toString('hex');
}

/**
 * txid and wtxid (internal order) of one serialized transaction, found by scanning offsets instead of building a
 * Tx (templates can hold thousands of transactions). Throws RangeError when the bytes are truncated or when
 * anything follows the transaction.
 */
export function txHashesOfRaw(raw: Buffer): { txid: Buffer; wtxid: Buffer; hasWitness: boolean } {
  let p = 4;
  const advance = (n: number): void => {
    p += n;
    if (p > raw.length) throw new RangeError('transaction truncated');
  };
  const vi = (): number => {
    if (p >= raw.length) throw new RangeError('transaction truncated');
    const { value, size } = readVarInt(raw, p);
    advance(size);
    return value;
  };
  if (raw.length < 10) throw new RangeError('transaction truncated');
  const segwit = raw[4] === 0x00 && raw[5] === 0x01;
  if (segwit) p = 6;
  const bodyStart = p;
  const nIn = vi();
  for (let k = 0; k < nIn; k++) {
    advance(36);
    advance(vi());
    advance(4);
  }
  const nOut = vi();
  for (let k = 0; k < nOut; k++) {
    advance(8);
    advance(vi());
  }
  const bodyEnd = p;
  let witnessItems = 0;
  if (segwit) {
    for (let k = 0; k < nIn; k++) {
      const items = vi();
      witnessItems += items;
      for (let j = 0; j < items; j++) advance(vi());
    }
  }
  advance(4);
  if (p !== raw.length) throw new RangeError(`${raw.length - p} trailing bytes after the transaction`);
  const wtxid = sha256d(raw);
  const txid = segwit ? sha256d(Buffer.concat([raw.subarray(0, 4), raw.subarray(bodyStart, bodyEnd), raw.subarray(raw.length - 4)])) : wtxid;
  return { txid, wtxid, hasWitness: witnessItems > 0 };
}
