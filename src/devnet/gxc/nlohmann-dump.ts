/**
 * nlohmann::json's dump() as the GXC node writes its replies: no spaces, object keys in byte order, doubles
 * with a ".0" or an exponent of at least two digits (50.0, 1e-05, 6.91770627854694e-310).
 */

export type NJson = null | boolean | number | bigint | string | Double | NJson[] | { [key: string]: NJson };

/** A value the node holds as a C++ double: dumped in nlohmann's float format. */
export class Double {
  constructor(readonly value: number) {}
}
export const dbl = (value: number): Double => new Double(value);

function formatDouble(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const k = digits.length;
  const n = Number(expText) + 1; // position of the decimal point relative to the digits
  let body: string;
  if (k <= n && n <= 15) body = `${digits}${'0'.repeat(n - k)}.0`;
  else if (0 < n && n <= 15) body = `${digits.slice(0, n)}.${digits.slice(n)}`;
  else if (-4 < n && n <= 0) body = `0.${'0'.repeat(-n)}${digits}`;
  else {
    const e = n - 1;
    const abs = Math.abs(e);
    body = `${k === 1 ? digits : `${digits[0]}.${digits.slice(1)}`}e${e < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`;
  }
  return sign + body;
}

/** nlohmann's dump(): no spaces, object keys in byte order, doubles in its float format. */
export function dumpNlohmann(value: NJson): string {
  if (value === null) return 'null';
  if (value instanceof Double) return formatDouble(value.value);
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isInteger(value) ? value.toString() : formatDouble(value);
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(dumpNlohmann).join(',')}]`;
  const keys = Object.keys(value).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${dumpNlohmann(value[k]!)}`).join(',')}}`;
}
