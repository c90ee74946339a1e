/**
 * Checks the hex fields Ethash miners send (nonce, header hash, mix digest) and turns them into typed values, or a
 * precise message naming the field and what was wrong. Pure: no session state. Miners differ on `0x` prefixes
 * (eth-proxy and ethminer send them, EthereumStratum miners do not), so a prefix is accepted everywhere.
 */
import { boundaryFromDifficulty } from '../../core/ethash/index.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const HEX_RE = /^[0-9a-fA-F]*$/;

function stripPrefix(value: string): string {
  return value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value;
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A string of exactly `bytes` bytes of hex (optional 0x), lowercased, without the prefix. */
export function checkHex(name: string, value: unknown, bytes: number): Checked<string> {
  if (typeof value !== 'string') return { ok: false, message: `${name} must be a hex string, got ${describe(value)}` };
  const hex = stripPrefix(value);
  if (!HEX_RE.test(hex)) return { ok: false, message: `${name} is not hex: '${clip(value)}'` };
  if (hex.length !== bytes * 2) {
    return { ok: false, message: `${name} must be ${bytes * 2} hex characters (${bytes} bytes), got ${hex.length}` };
  }
  return { ok: true, value: hex.toLowerCase() };
}

/** The full 64-bit nonce as eth-proxy and ethminer's stratum send it: 16 hex digits, big-endian. */
export function checkFullNonce(value: unknown): Checked<bigint> {
  const hex = checkHex('nonce', value, 8);
  return hex.ok ? { ok: true, value: BigInt(`0x${hex.value}`) } : hex;
}

/**
 * EthereumStratum's `nonce_without_extranonce`: the miner's part of the nonce, `8 - extranonce bytes` bytes. A
 * miner that sends the full 16-digit nonce instead is accepted only when it starts with this connection's
 * extranonce: anything else searched another connection's space (or none the pool gave out).
 */
export function checkNonceTail(value: unknown, extranonce: Buffer): Checked<bigint> {
  if (typeof value !== 'string') return { ok: false, message: `nonce must be a hex string, got ${describe(value)}` };
  const hex = stripPrefix(value).toLowerCase();
  if (!HEX_RE.test(hex) || hex.length === 0) return { ok: false, message: `nonce is not hex: '${clip(value)}'` };
  const prefix = extranonce.toString('hex');
  const tailChars = 16 - prefix.length;
  if (hex.length === tailChars) return { ok: true, value: BigInt(`0x${prefix}${hex}`) };
  if (hex.length === 16) {
    if (!hex.startsWith(prefix)) {
      return { ok: false, message: `nonce ${hex} does not start with this connection's extranonce ${prefix}` };
    }
    return { ok: true, value: BigInt(`0x${hex}`) };
  }
  return {
    ok: false,
    message: `nonce must be ${tailChars} hex characters (the nonce without the ${prefix.length / 2}-byte extranonce ${prefix}), got ${hex.length}`,
  };
}

/** 16 hex digits of a 64-bit nonce (the form eth_submitWork and the vectors use, without 0x). */
export function nonceHex(nonce: bigint): string {
  return nonce.toString(16).padStart(16, '0');
}

/**
 * The boundary as eth_getWork and ethminer's mining.notify carry it (0x + 64 hex digits) for pool difficulty D:
 * floor(2^256 / (D * 2^32)), difficulty 1 = 2^32 hashes (the unit in src/stratum/types.ts).
 */
export function boundaryHex(difficulty: number): string {
  return `0x${boundaryFromDifficulty(difficulty).toString(16).padStart(64, '0')}`;
}

/** A hash rate as eth_submitHashrate sends it (0x-prefixed hex, up to 32 bytes), in hashes per second. */
export function checkHashrate(value: unknown): Checked<number> {
  if (typeof value !== 'string') return { ok: false, message: `hashrate must be a hex string, got ${describe(value)}` };
  const hex = stripPrefix(value);
  if (hex.length === 0 || hex.length > 64 || !HEX_RE.test(hex)) {
    return { ok: false, message: `hashrate must be 1..64 hex characters, got '${clip(value)}'` };
  }
  return { ok: true, value: Number(BigInt(`0x${hex}`)) };
}
