/** Bech32 (BIP173) and Bech32m (BIP350) for segwit addresses. Pure: no I/O. */

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const CHARSET_INDEX = new Map<string, number>([...CHARSET].map((c, i) => [c, i]));
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

export type Bech32Variant = 'bech32' | 'bech32m';
const CONSTANT: Record<Bech32Variant, number> = { bech32: 1, bech32m: 0x2bc830a3 };

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk = (chk ^ GENERATOR[i]!) >>> 0;
  }
  return chk;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >>> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

export function bech32Encode(hrp: string, data5: readonly number[], variant: Bech32Variant): string {
  const values = [...hrpExpand(hrp), ...data5];
  const mod = polymod([...values, 0, 0, 0, 0, 0, 0]) ^ CONSTANT[variant];
  const checksum: number[] = [];
  for (let i = 0; i < 6; i++) checksum.push((mod >>> (5 * (5 - i))) & 31);
  return hrp + '1' + [...data5, ...checksum].map((v) => CHARSET[v]).join('');
}

/** Decodes a Bech32/Bech32m string (case-insensitive, not mixed); throws with a precise reason. */
export function bech32Decode(text: string): { hrp: string; data5: number[]; variant: Bech32Variant } {
  if (text.length > 90) throw new Error(`Bech32 string too long (${text.length} > 90)`);
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) throw new Error('Bech32 string mixes upper and lower case');
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 33 || code > 126) throw new Error(`invalid character at position ${i}`);
  }
  const sep = lower.lastIndexOf('1');
  if (sep < 1) throw new Error('Bech32 string has no human-readable part or separator');
  if (lower.length - sep - 1 < 6) throw new Error('Bech32 data part too short for a checksum');
  const hrp = lower.slice(0, sep);
  const data5: number[] = [];
  for (let i = sep + 1; i < lower.length; i++) {
    const v = CHARSET_INDEX.get(lower[i]!);
    if (v === undefined) throw new Error(`invalid Base32 character '${text[i]}' at position ${i}`);
    data5.push(v);
  }
  const mod = polymod([...hrpExpand(hrp), ...data5]);
  let variant: Bech32Variant;
  if (mod === CONSTANT.bech32) variant = 'bech32';
  else if (mod === CONSTANT.bech32m) variant = 'bech32m';
  else throw new Error('invalid Bech32 checksum');
  return { hrp, data5: data5.slice(0, -6), variant };
}

/** Regroups bits (8→5 with padding, or 5→8 requiring zero padding of under 5 bits). */
export function convertBits(data: readonly number[], from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const v of data) {
    if (v < 0 || v >> from !== 0) throw new Error('value out of range for bit conversion');
    acc = ((acc << from) | v) & 0xffffff;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from) {
    throw new Error('excess padding bits');
  } else if (((acc << (to - bits)) & maxv) !== 0) {
    throw new Error('non-zero padding bits');
  }
  return out;
}
