/**
 * JSON as the GXC node (C++, nlohmann::json) reads and writes it, so the devnet's answers match the real node's
 * byte for byte: parse errors carry nlohmann's exact message ("[json.exception.parse_error.101] parse error at
 * line 1, column 3: syntax error while parsing object key - invalid literal; last read: '{no'; expected string
 * literal"), replies are dumped with sorted keys and doubles written with a ".0" (50.0, 6.9e-310 as
 * "6.9e-310", 1e-5 as "1e-05"). Integers beyond 2^53 parse to bigint, so a 64-bit nonce is read exactly.
 */

export { Double, dbl, dumpNlohmann, type NJson } from './nlohmann-dump.js';
import { Double, type NJson } from './nlohmann-dump.js';

export class NlohmannParseError extends Error {
  /**
   * False when the message quotes bytes that are not UTF-8: nlohmann's dump() then throws while writing the
   * error reply, and the node answers a bare -32603 "Internal error" instead.
   */
  readonly dumpable: boolean;
  constructor(message: string, dumpable = true) {
    super(message);
    this.name = 'NlohmannParseError';
    this.dumpable = dumpable;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function quoteBytes(bytes: Buffer): { text: string; ok: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), ok: true };
  } catch {
    return { text: bytes.toString('latin1'), ok: false };
  }
}

type Token =
  | 'uninitialized'
  | 'true'
  | 'false'
  | 'null'
  | 'string'
  | 'unsigned'
  | 'integer'
  | 'float'
  | '['
  | '{'
  | ']'
  | '}'
  | ':'
  | ','
  | 'parse_error'
  | 'end'
  | 'literal_or_value';

const TOKEN_NAME: Record<Token, string> = {
  uninitialized: '<uninitialized>',
  true: 'true literal',
  false: 'false literal',
  null: 'null literal',
  string: 'string literal',
  unsigned: 'number literal',
  integer: 'number literal',
  float: 'number literal',
  '[': "'['",
  '{': "'{'",
  ']': "']'",
  '}': "'}'",
  ':': "':'",
  ',': "','",
  parse_error: '<parse error>',
  end: 'end of input',
  literal_or_value: "'[', '{', or a literal",
};

const CONTROL_NAMES = [
  'NUL',
  'SOH',
  'STX',
  'ETX',
  'EOT',
  'ENQ',
  'ACK',
  'BEL',
  'BS',
  'HT',
  'LF',
  'VT',
  'FF',
  'CR',
  'SO',
  'SI',
  'DLE',
  'DC1',
  'DC2',
  'DC3',
  'DC4',
  'NAK',
  'SYN',
  'ETB',
  'CAN',
  'EM',
  'SUB',
  'ESC',
  'FS',
  'GS',
  'RS',
  'US',
];
const SHORT_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

class Lexer {
  private i = 0;
  private current = -1;
  private nextUnget = false;
  charsTotal = 0;
  charsLine = 0;
  lines = 0;
  tokenBytes: number[] = [];
  tokenBuffer: number[] = [];
  error = '';
  value: NJson = null;

  constructor(private readonly buf: Buffer) {}

  private get(): number {
    this.charsTotal++;
    this.charsLine++;
    if (this.nextUnget) this.nextUnget = false;
    else this.current = this.i < this.buf.length ? this.buf[this.i++]! : -1;
    if (this.current !== -1) this.tokenBytes.push(this.current);
    if (this.current === 0x0a) {
      this.lines++;
      this.charsLine = 0;
    }
    return this.current;
  }

  private unget(): void {
    this.nextUnget = true;
    this.charsTotal--;
    if (this.charsLine === 0) {
      if (this.lines > 0) this.lines--;
    } else this.charsLine--;
    if (this.current !== -1) this.tokenBytes.pop();
  }

  private reset(): void {
    this.tokenBuffer = [];
    this.tokenBytes = [this.current];
  }

  position(): string {
    return `line ${this.lines + 1}, column ${this.charsLine}`;
  }

  /** The bytes read for the current token, control characters as <U+XXXX> (as nlohmann prints them). */
  tokenString(): Buffer {
    const out: number[] = [];
    for (const c of this.tokenBytes) {
      if (c <= 0x1f) for (const ch of Buffer.from(`<U+${hex4(c)}>`, 'latin1')) out.push(ch);
      else out.push(c);
    }
    return Buffer.from(out);
  }

  scan(): Token {
    if (this.charsTotal === 0) {
      if (this.get() === 0xef) {
        if (!(this.get() === 0xbb && this.get() === 0xbf)) {
          this.error = 'invalid BOM; must be 0xEF 0xBB 0xBF if given';
          return 'parse_error';
        }
      } else this.unget();
    }
    do this.get();
    while (this.current === 0x20 || this.current === 0x09 || this.current === 0x0a || this.current === 0x0d);
    switch (this.current) {
      case 0x5b:
        return '[';
      case 0x5d:
        return ']';
      case 0x7b:
        return '{';
      case 0x7d:
        return '}';
      case 0x3a:
        return ':';
      case 0x2c:
        return ',';
      case 0x74:
        return this.literal('true', 'true', true);
      case 0x66:
        return this.literal('false', 'false', false);
      case 0x6e:
        return this.literal('null', 'null', null);
      case 0x22:
        return this.scanString();
      case 0x00:
      case -1:
        return 'end';
      default:
        if (this.current === 0x2d || (this.current >= 0x30 && this.current <= 0x39)) return this.scanNumber();
        this.error = 'invalid literal';
        return 'parse_error';
    }
  }

  private literal(text: string, token: Token, value: NJson): Token {
    for (let k = 1; k < text.length; k++) {
      if (this.get() !== text.charCodeAt(k)) {
        this.error = 'invalid literal';
        return 'parse_error';
      }
    }
    this.value = value;
    return token;
  }

  private codepoint(): number {
    let cp = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.get();
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (d < 0) return -1;
      cp = cp * 16 + d;
    }
    return cp;
  }

  private inRanges(ranges: Array<[number, number]>): boolean {
    this.tokenBuffer.push(this.current);
    for (const [lo, hi] of ranges) {
      const c = this.get();
      if (c < lo || c > hi) {
        this.error = 'invalid string: ill-formed UTF-8 byte';
        return false;
      }
      this.tokenBuffer.push(c);
    }
    return true;
  }

  private scanString(): Token {
    this.reset();
    const cont: [number, number] = [0x80, 0xbf];
    for (;;) {
      const c = this.get();
      if (c === -1) {
        this.error = 'invalid string: missing closing quote';
        return 'parse_error';
      }
      if (c === 0x22) {
        this.value = Buffer.from(this.tokenBuffer).toString('utf8');
        return 'string';
      }
      if (c === 0x5c) {
        const e = this.get();
        const simple: Record<number, number> = { 34: 0x22, 92: 0x5c, 47: 0x2f, 98: 8, 102: 12, 110: 10, 114: 13, 116: 9 };
        if (e in simple) {
          this.tokenBuffer.push(simple[e]!);
          continue;
        }
        if (e !== 0x75) {
          this.error = 'invalid string: forbidden character after backslash';
          return 'parse_error';
        }
        let cp = this.codepoint();
        if (cp === -1) {
          this.error = "invalid string: '\\u' must be followed by 4 hex digits";
          return 'parse_error';
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
          if (this.get() === 0x5c && this.get() === 0x75) {
            const low = this.codepoint();
            if (low === -1) {
              this.error = "invalid string: '\\u' must be followed by 4 hex digits";
              return 'parse_error';
            }
            if (low < 0xdc00 || low > 0xdfff) {
              this.error = 'invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF';
              return 'parse_error';
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else {
            this.error = 'invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF';
            return 'parse_error';
          }
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          this.error = 'invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF';
          return 'parse_error';
        }
        for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) this.tokenBuffer.push(b);
        continue;
      }
      if (c <= 0x1f) {
        const short = SHORT_ESCAPES[c];
        this.error = `invalid string: control character U+${hex4(c)} (${CONTROL_NAMES[c]}) must be escaped to \\u${hex4(c)}${short ? ` or ${short}` : ''}`;
        return 'parse_error';
      }
      if (c < 0x80) {
        this.tokenBuffer.push(c);
        continue;
      }
      let ok: boolean;
      if (c >= 0xc2 && c <= 0xdf) ok = this.inRanges([cont]);
      else if (c === 0xe0) ok = this.inRanges([[0xa0, 0xbf], cont]);
      else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) ok = this.inRanges([cont, cont]);
      else if (c === 0xed) ok = this.inRanges([[0x80, 0x9f], cont]);
      else if (c === 0xf0) ok = this.inRanges([[0x90, 0xbf], cont, cont]);
      else if (c >= 0xf1 && c <= 0xf3) ok = this.inRanges([cont, cont, cont]);
      else if (c === 0xf4) ok = this.inRanges([[0x80, 0x8f], cont, cont]);
      else {
        this.error = 'invalid string: ill-formed UTF-8 byte';
        ok = false;
      }
      if (!ok) return 'parse_error';
    }
  }

  private scanNumber(): Token {
    this.reset();
    const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
    let type: Token = 'unsigned';
    const text: number[] = [this.current];
    const fail = (msg: string): Token => {
      this.error = msg;
      return 'parse_error';
    };
    let c: number;
    if (this.current === 0x2d) {
      type = 'integer';
      c = this.get();
      if (!isDigit(c)) return fail("invalid number; expected digit after '-'");
      text.push(c);
    } else c = this.current;
    if (c !== 0x30) {
      while (isDigit((c = this.get()))) text.push(c);
    } else c = this.get();
    if (c === 0x2e) {
      type = 'float';
      text.push(c);
      c = this.get();
      if (!isDigit(c)) return fail("invalid number; expected digit after '.'");
      text.push(c);
      while (isDigit((c = this.get()))) text.push(c);
    }
    if (c === 0x65 || c === 0x45) {
      type = 'float';
      text.push(c);
      c = this.get();
      if (c === 0x2b || c === 0x2d) {
        text.push(c);
        c = this.get();
        if (!isDigit(c)) return fail('invalid number; expected digit after exponent sign');
      } else if (!isDigit(c)) return fail("invalid number; expected '+', '-', or digit after exponent");
      text.push(c);
      while (isDigit((c = this.get()))) text.push(c);
    }
    this.unget();
    const s = Buffer.from(text).toString('latin1');
    if (type !== 'float') {
      const n = BigInt(s);
      const fits = type === 'unsigned' ? n <= 0xffffffffffffffffn : n >= -(1n << 63n);
      if (fits) {
        this.value = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
        return type;
      }
    }
    this.value = Number(s);
    return 'float';
  }
}

function setOwn(obj: { [key: string]: NJson }, key: string, value: NJson): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Parses like nlohmann::json::parse, throwing NlohmannParseError with the node's exact message text.
 * With `keepDoubles`, numbers written with a fraction or exponent come back as Double (so "1.0" survives a
 * parse/dump round trip, as in the node's replies).
 */
export function parseNlohmann(input: Buffer | string, opts: { keepDoubles?: boolean } = {}): NJson {
  const lx = new Lexer(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  let last: Token = 'uninitialized';
  const next = (): Token => (last = lx.scan());
  const tok = (): Token => last;
  const fail = (expected: Token, context: string): never => {
    let msg = `syntax error while parsing ${context} - `;
    let ok = true;
    if (last === 'parse_error') {
      const quoted = quoteBytes(lx.tokenString());
      ok = quoted.ok;
      msg += `${lx.error}; last read: '${quoted.text}'`;
    } else msg += `unexpected ${TOKEN_NAME[last]}`;
    if (expected !== 'uninitialized') msg += `; expected ${TOKEN_NAME[expected]}`;
    throw new NlohmannParseError(`[json.exception.parse_error.101] parse error at ${lx.position()}: ${msg}`, ok);
  };

  const parseValue = (): NJson => {
    switch (last) {
      case '{': {
        const obj: { [key: string]: NJson } = {};
        if (next() === '}') return obj;
        for (;;) {
          if (tok() !== 'string') fail('string', 'object key');
          const key = lx.value as string;
          if (next() !== ':') fail(':', 'object separator');
          next();
          setOwn(obj, key, parseValue());
          if (next() === ',') {
            next();
            continue;
          }
          if (tok() === '}') return obj;
          return fail('}', 'object');
        }
      }
      case '[': {
        const arr: NJson[] = [];
        if (next() === ']') return arr;
        for (;;) {
          arr.push(parseValue());
          if (next() === ',') {
            next();
            continue;
          }
          if (tok() === ']') return arr;
          return fail(']', 'array');
        }
      }
      case 'true':
      case 'false':
      case 'null':
      case 'string':
      case 'unsigned':
      case 'integer':
        return lx.value;
      case 'float': {
        const v = lx.value as number;
        if (!Number.isFinite(v))
          throw new NlohmannParseError(`[json.exception.out_of_range.406] number overflow parsing '${quoteBytes(lx.tokenString()).text}'`);
        return opts.keepDoubles ? new Double(v) : v;
      }
      case 'parse_error':
        return fail('uninitialized', 'value');
      case 'end':
        if (lx.charsTotal === 1) {
          throw new NlohmannParseError(
            `[json.exception.parse_error.101] parse error at ${lx.position()}: attempting to parse an empty input; check that your input string or stream contains the expected JSON`,
          );
        }
        return fail('literal_or_value', 'value');
      default:
        return fail('literal_or_value', 'value');
    }
  };
  next();
  const value = parseValue();
  if (next() !== 'end') fail('end', 'value');
  return value;
}
