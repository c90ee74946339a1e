/**
 * A small strict JSON reader/writer for the devnet's RPC server.
 *
 * Why not JSON.parse/JSON.stringify: Bitcoin Core reads amounts from the number's text (0.1 BTC is exactly
 * 10,000,000 sat, never a double), keeps duplicate object keys (so `sendmany` can refuse a duplicated address),
 * and prints amounts with 8 decimals (50.00000000). Numbers therefore stay as their text (JsonNumber) and objects
 * remember keys that appeared twice.
 */

/** A JSON number kept as the text it was written as. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toNumber(): number {
    return Number(this.text);
  }
}

export type RpcJson = null | boolean | string | JsonNumber | number | RpcJson[] | RpcJsonObject;
export interface RpcJsonObject {
  [key: string]: RpcJson | undefined;
}

/** Keys that appeared more than once in a parsed object (the last value wins in the object itself). */
export const DUPLICATE_KEYS: unique symbol = Symbol('duplicateKeys');

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 64;
const LITERALS: ReadonlyArray<[string, RpcJson]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJson(text: string): RpcJson {
  let p = 0;
  const ws = (): void => {
    while (p < text.length && (text[p] === ' ' || text[p] === '\n' || text[p] === '\r' || text[p] === '\t')) p++;
  };
  const fail = (what: string): never => {
    throw new JsonSyntaxError(what, p);
  };
  const str = (): string => {
    p++; // opening quote
    let out = '';
    for (;;) {
      if (p >= text.length) fail('unterminated string');
      const c = text[p]!;
      if (c === '"') {
        p++;
        return out;
      }
      if (c < ' ') fail('control character in string');
      if (c !== '\\') {
        out += c;
        p++;
        continue;
      }
      const e = text[p + 1];
      p += 2;
      if (e === 'u') {
        const hex = text.slice(p, p + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        p += 4;
      } else {
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        const s = e === undefined ? undefined : simple[e];
        if (s === undefined) fail('bad escape');
        out += s;
      }
    }
  };
  const value = (depth: number): RpcJson => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[p];
    if (c === '{') {
      p++;
      const obj: RpcJsonObject = {};
      const dups: string[] = [];
      ws();
      if (text[p] === '}') {
        p++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[p] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[p] !== ':') fail("expected ':'");
        p++;
        const v = value(depth + 1);
        if (Object.hasOwn(obj, key)) dups.push(key);
        // defineProperty: a key named "__proto__" must stay plain data.
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[p] === ',') {
          p++;
          continue;
        }
        if (text[p] === '}') {
          p++;
          break;
        }
        fail("expected ',' or '}'");
      }
      if (dups.length > 0) Object.defineProperty(obj, DUPLICATE_KEYS, { value: dups, enumerable: false });
      return obj;
    }
    if (c === '[') {
      p++;
      const arr: RpcJson[] = [];
      ws();
      if (text[p] === ']') {
        p++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[p] === ',') {
          p++;
          continue;
        }
        if (text[p] === ']') {
          p++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    for (const [word, literal] of LITERALS) {
      if (text.startsWith(word, p)) {
        p += word.length;
        return literal;
      }
    }
    NUMBER_RE.lastIndex = p;
    const m = NUMBER_RE.exec(text);
    if (m) {
      p += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail('unexpected character');
  };
  const v = value(0);
  ws();
  if (p !== text.length) fail('trailing characters');
  return v;
}

export function duplicateKeysOf(obj: RpcJsonObject): readonly string[] {
  return (obj as { [DUPLICATE_KEYS]?: string[] })[DUPLICATE_KEYS] ?? [];
}

/** Serializes like JSON.stringify (compact), but JsonNumber prints its exact text. Undefined members are left out. */
export function stringifyJson(v: RpcJson | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map((x) => stringifyJson(x)).join(',') + ']';
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x !== undefined) parts.push(JSON.stringify(k) + ':' + stringifyJson(x));
  }
  return '{' + parts.join(',') + '}';
}

/** Converts parsed RPC JSON to plain JS values (JsonNumber → number) for callers that do not need exactness. */
export function toPlain(v: RpcJson | undefined): unknown {
  if (v instanceof JsonNumber) return v.toNumber();
  if (Array.isArray(v)) return v.map((x) => toPlain(x));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}
