/** Parameter readers with Bitcoin Core's type-error answers (-3 "JSON value of type X is not of expected type Y"). */
import { JsonNumber, type RpcJson, type RpcJsonObject } from './json.js';
import { RpcMethodError } from './rpc-server.js';
import { AmountError, parseBtcAmount } from './amount.js';

export const RPC_TYPE_ERROR = -3;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_INVALID_ADDRESS_OR_KEY = -5;
export const RPC_DESERIALIZATION_ERROR = -22;
export const RPC_VERIFY_ERROR = -25;

function typeName(v: RpcJson | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof JsonNumber || typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? 'array' : 'object';
}

function typeError(v: RpcJson | undefined, expected: string): RpcMethodError {
  return new RpcMethodError(RPC_TYPE_ERROR, `JSON value of type ${typeName(v)} is not of expected type ${expected}`);
}

export function str(v: RpcJson | undefined): string {
  if (typeof v !== 'string') throw typeError(v, 'string');
  return v;
}

export function optStr(v: RpcJson | undefined, fallback: string): string {
  return v === undefined || v === null ? fallback : str(v);
}

export function int(v: RpcJson | undefined): number {
  const n = v instanceof JsonNumber ? v.toNumber() : typeof v === 'number' ? v : NaN;
  if (Number.isNaN(n)) throw typeError(v, 'number');
  if (!Number.isSafeInteger(n)) throw new RpcMethodError(RPC_TYPE_ERROR, 'JSON integer out of range');
  return n;
}

export function optInt(v: RpcJson | undefined, fallback: number): number {
  return v === undefined || v === null ? fallback : int(v);
}

export function optBool(v: RpcJson | undefined, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw typeError(v, 'bool');
  return v;
}

export function obj(v: RpcJson | undefined): RpcJsonObject {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) throw typeError(v, 'object');
  return v;
}

/** A block/tx hash parameter: 64 hex digits (Core: "must be of length 64" / "must be hexadecimal string"). */
export function hash(v: RpcJson | undefined, name: string): string {
  const s = str(v);
  if (s.length !== 64) throw new RpcMethodError(RPC_INVALID_PARAMETER, `${name} must be of length 64 (not ${s.length}, for '${s}')`);
  if (!/^[0-9a-fA-F]+$/.test(s)) throw new RpcMethodError(RPC_INVALID_PARAMETER, `${name} must be hexadecimal string (not '${s}')`);
  return s.toLowerCase();
}

/** A BTC amount (number or string) in satoshis, exactly; Core's AmountFromValue errors. */
export function amount(v: RpcJson | undefined): bigint {
  if (!(v instanceof JsonNumber) && typeof v !== 'string' && typeof v !== 'number') {
    throw new RpcMethodError(RPC_TYPE_ERROR, 'Amount is not a number or string');
  }
  try {
    return parseBtcAmount(v);
  } catch (err) {
    if (err instanceof AmountError) throw new RpcMethodError(RPC_TYPE_ERROR, err.message);
    throw err;
  }
}
