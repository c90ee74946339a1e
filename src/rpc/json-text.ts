/**
 * JSON text for RPC requests. JSON.stringify cannot write a bigint and silently turns NaN/Infinity into null;
 * a node then receives a different request than the caller meant. Here a bigint is written as its exact
 * decimal digits (JSON numbers have no size limit, e.g. the GXC node reads a 64-bit nonce) and a
 * non-finite number is a precise error.
 */
export function toJsonText(value: unknown, where = 'params'): string {
  return write(value, where, new Set());
}

function write(value: unknown, where: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString(10);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${where} is ${value}, which JSON cannot carry`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`${where} is a ${typeof value}, which JSON cannot carry`);
  }
  if (value === null) return 'null';
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    return write((withToJson.toJSON as () => unknown)(), where, ancestors);
  }
  if (ancestors.has(value)) throw new TypeError(`${where} refers back to itself (circular structure)`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      // Like JSON.stringify: a hole or undefined inside an array becomes null, keeping positions.
      const items = value.map((item: unknown, i) =>
        item === undefined || typeof item === 'function' ? 'null' : write(item, `${where}[${i}]`, ancestors),
      );
      return `[${items.join(',')}]`;
    }
    const members: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      // Like JSON.stringify: undefined members are left out (optional fields).
      if (item === undefined || typeof item === 'function') continue;
      members.push(`${JSON.stringify(key)}:${write(item, `${where}.${key}`, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
