/**
 * How the node reads request values (nlohmann's `value(key, default)`, `params[i].get<T>()`), including the
 * exception texts it lets through, and the error the RPC layer turns into a JSON-RPC error object.
 */
import { Double, type NJson } from './nlohmann-json.js';

/** Codes as the node uses them (Bitcoin Core's numbering). */
export const RPC_INVALID_PARAMETER = -8;
export const RPC_WALLET_ERROR = -4;
export const RPC_WALLET_INSUFFICIENT_FUNDS = -6;
export const RPC_INTERNAL_ERROR = -32603;

export class NodeRpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'NodeRpcFailure';
  }
}

export type NObject = { [key: string]: NJson };

export function isObject(v: NJson | undefined): v is NObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Double);
}

export function typeName(v: NJson | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Double || typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

const typeError302 = (want: string, v: NJson | undefined): Error =>
  new Error(`[json.exception.type_error.302] type must be ${want}, but is ${typeName(v)}`);

export function asString(v: NJson | undefined): string {
  if (typeof v !== 'string') throw typeError302('string', v);
  return v;
}

export function asNumber(v: NJson | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Double) return v.value;
  throw typeError302('number', v);
}

/** An unsigned 64-bit read (exact for bigint input). */
export function asU64(v: NJson | undefined): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  const n = asNumber(v);
  return BigInt.asUintN(64, BigInt(Math.trunc(n)));
}

/** `obj.value(keys[0], obj.value(keys[1], ... def))`. */
export function valueAt<T>(obj: NObject, keys: readonly string[], read: (v: NJson) => T, def: T): T {
  for (const k of keys) if (Object.hasOwn(obj, k)) return read(obj[k]!);
  return def;
}

/** `params.size()` and `params[i]` as nlohmann answers them for non-array params. */
export function paramList(params: NJson): NJson[] {
  if (Array.isArray(params)) return params;
  if (params === null) return [];
  throw new Error(`[json.exception.type_error.305] cannot use operator[] with a numeric argument with ${typeName(params)}`);
}
