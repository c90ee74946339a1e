/**
 * JSON text for requests where a JavaScript number would lose bits: the node reads `nonce` as an unsigned
 * 64-bit JSON number, so a bigint is written as its exact digits. Everything else is written as JSON.stringify
 * would write it. Pure: no I/O.
 */

/** A JSON value that may hold bigints (written as exact integer literals). */
export type ExactJson = null | boolean | number | bigint | string | ExactJson[] | { [key: string]: ExactJson | undefined };

export function stringifyExact(value: ExactJson): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as JSON`);
      return JSON.stringify(value);
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map((v) => stringifyExact(v)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${stringifyExact(v)}`);
  }
  return `{${parts.join(',')}}`;
}
