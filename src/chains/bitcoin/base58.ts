/** Base58 and Base58Check (Bitcoin alphabet). Pure: no I/O. */
import { sha256d } from '../../core/hash.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

export function base58Encode(data: Buffer): string {
  let zeros = 0;
  while (zeros < data.length && data[zeros] === 0) zeros++;
  let n = data.length === 0 ? 0n : BigInt('0x' + data.toString('hex'));
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)]! + out;
    n /= 58n;
  }
  return '1'.repeat(zeros) + out;
}

/** Decodes Base58; throws with the position of the first character outside the alphabet. */
export function base58Decode(text: string): Buffer {
  let n = 0n;
  for (let i = 0; i < text.length; i++) {
    const v = INDEX.get(text[i]!);
    if (v === undefined) throw new Error(`invalid Base58 character '${text[i]}' at position ${i}`);
    n = n * 58n + BigInt(v);
  }
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  let hex = n === 0n ? '' : n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}

export function base58CheckEncode(payload: Buffer): string {
  return base58Encode(Buffer.concat([payload, sha256d(payload).subarray(0, 4)]));
}

/** Payload of a Base58Check string; throws on a bad character, short input or checksum mismatch. */
export function base58CheckDecode(text: string): Buffer {
  const raw = base58Decode(text);
  if (raw.length < 5) throw new Error('Base58Check data too short');
  const payload = raw.subarray(0, raw.length - 4);
  if (
    !sha256d(payload)
      .subarray(0, 4)
      .equals(raw.subarray(raw.length - 4))
  ) {
    throw new Error('invalid Base58Check checksum');
  }
  return Buffer.from(payload);
}
