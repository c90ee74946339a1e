/** Script building blocks used by coinbases. Pure: no I/O. */

/** Minimal script-number encoding (CScriptNum) of a non-negative integer. */
export function scriptNum(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`script number out of range: ${n}`);
  if (n === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  let v = n;
  while (v > 0) {
    bytes.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  // A set top bit would read as negative: add a sign byte.
  if ((bytes[bytes.length - 1]! & 0x80) !== 0) bytes.push(0);
  return Buffer.from(bytes);
}

/** A minimal data push (direct length byte or OP_PUSHDATA1/2). */
export function pushData(data: Buffer): Buffer {
  if (data.length < 0x4c) return Buffer.concat([Buffer.from([data.length]), data]);
  if (data.length <= 0xff) return Buffer.concat([Buffer.from([0x4c, data.length]), data]);
  const len = Buffer.alloc(2);
  len.writeUInt16LE(data.length);
  return Buffer.concat([Buffer.from([0x4d]), len, data]);
}

/**
 * BIP34 height push as Bitcoin Core writes it (CScript() << height): OP_0 for 0, OP_1..OP_16 for 1..16,
 * otherwise a minimal script-number push.
 */
export function bip34HeightPush(height: number): Buffer {
  if (height === 0) return Buffer.from([0x00]);
  if (height >= 1 && height <= 16) return Buffer.from([0x50 + height]);
  return pushData(scriptNum(height));
}
