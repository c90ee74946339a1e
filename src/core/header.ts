import { sha256d } from './hash.js';
import { u32LE } from './bytes.js';

/** The 80-byte block header fields, hashes in internal (serialization) order. */
export interface HeaderFields {
  version: number;
  prevHash: Buffer;
  merkleRoot: Buffer;
  time: number;
  bits: number;
  nonce: number;
}

export function serializeHeader(h: HeaderFields): Buffer {
  if (h.prevHash.length !== 32 || h.merkleRoot.length !== 32) throw new Error('header hashes must be 32 bytes');
  return Buffer.concat([u32LE(h.version), h.prevHash, h.merkleRoot, u32LE(h.time), u32LE(h.bits), u32LE(h.nonce)]);
}

/** Hash of a header: digest (internal order), display hex, and its value as Bitcoin compares it. */
export function hashHeader(header: Buffer): { digest: Buffer; displayHex: string; value: bigint } {
  const digest = sha256d(header);
  // The display hex is the big-endian form of the little-endian value: one reversal serves both.
  const displayHex = Buffer.from(digest).reverse().toString('hex');
  return { digest, displayHex, value: BigInt(`0x${displayHex}`) };
}

/**
 * Stratum's prevhash: the internal-order hash with each 4-byte word byte-swapped
 * (so miners that swap words back get the header bytes).
 */
export function stratumPrevHash(prevHashInternal: Buffer): string {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i += 4) out.writeUInt32LE(prevHashInternal.readUInt32BE(i), i);
  return out.toString('hex');
}

/** Inverse of stratumPrevHash (used by the built-in miner). */
export function prevHashFromStratum(stratumHex: string): Buffer {
  return Buffer.from(stratumPrevHash(Buffer.from(stratumHex, 'hex')), 'hex');
}
