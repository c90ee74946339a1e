/** Byte and hex helpers shared by every chain. Pure: no I/O. */

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function isHex(s: string, bytes?: number): boolean {
  return HEX_RE.test(s) && (bytes === undefined || s.length === bytes * 2);
}

export function hexToBuf(hex: string): Buffer {
  if (!isHex(hex)) throw new Error(`not an even-length hex string: ${hex.slice(0, 32)}`);
  return Buffer.from(hex, 'hex');
}

export function reverseBuf(buf: Buffer): Buffer {
  return Buffer.from(buf).reverse();
}

/** RPC "display order" hex <-> serialization ("internal") order. */
export function reverseHex(hex: string): string {
  return reverseBuf(hexToBuf(hex)).toString('hex');
}

export function u32LE(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function u64LE(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

/** Bitcoin CompactSize. */
export function varInt(n: number): Buffer {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) {
    const b = Buffer.alloc(3);
    b[0] = 0xfd;
    b.writeUInt16LE(n, 1);
    return b;
  }
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = 0xfe;
    b.writeUInt32LE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0xff;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

/** Reads a CompactSize at `offset`; returns the value and the bytes it used. */
export function readVarInt(buf: Buffer, offset: number): { value: number; size: number } {
  const first = buf[offset];
  if (first === undefined) throw new RangeError('varint past end of buffer');
  if (first < 0xfd) return { value: first, size: 1 };
  if (first === 0xfd) return { value: buf.readUInt16LE(offset + 1), size: 3 };
  if (first === 0xfe) return { value: buf.readUInt32LE(offset + 1), size: 5 };
  return { value: Number(buf.readBigUInt64LE(offset + 1)), size: 9 };
}

/** Big-endian unsigned integer from bytes. */
export function bufToBigIntBE(buf: Buffer): bigint {
  return buf.length === 0 ? 0n : BigInt('0x' + buf.toString('hex'));
}

/** Little-endian unsigned integer from bytes (how Bitcoin compares a hash with a target). */
export function bufToBigIntLE(buf: Buffer): bigint {
  return bufToBigIntBE(reverseBuf(buf));
}

/** 32-byte big-endian hex of a 256-bit integer. */
export function bigIntToHex64(n: bigint): string {
  if (n < 0n || n >= 1n << 256n) throw new RangeError('value does not fit in 256 bits');
  return n.toString(16).padStart(64, '0');
}
