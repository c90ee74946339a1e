import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dbl, Double, dumpNlohmann, NlohmannParseError, parseNlohmann } from '../../../src/devnet/gxc/nlohmann-json.js';
import { exchange, TRANSCRIPT_URL, transcriptExact } from '../../chains/gxc/helpers/transcript.js';

describe('nlohmann::json as the GXC node parses and dumps', () => {
  it('reproduces the recorded parse error for malformed JSON', () => {
    const e = exchange('malformed JSON');
    expect(() => parseNlohmann(e.request as string)).toThrow(NlohmannParseError);
    try {
      parseNlohmann(e.request as string);
    } catch (err) {
      expect(`Parse error: ${(err as Error).message}`).toBe(e.response.error!.message);
    }
  });

  it('reproduces the recorded error for a body cut at the 8 KB read (recorder used ", " and ": " separators)', () => {
    const e = exchange('request body over 8 KB -> cut off, parse error');
    const req = e.request as Record<string, unknown>;
    const body = `{"jsonrpc": "2.0", "id": 1, "method": "getblockcount", "params": [], "pad": "${req.pad as string}"}`;
    // The node saw 8017 body bytes: column 8018 is one past the last byte read.
    const cut = body.slice(0, 8017);
    let message = '';
    try {
      parseNlohmann(cut);
    } catch (err) {
      message = `Parse error: ${(err as Error).message}`;
    }
    expect(message).toBe(e.response.error!.message);
  });

  it('names the common syntax errors the way nlohmann does', () => {
    const msg = (s: string): string => {
      try {
        parseNlohmann(s);
        return 'parsed';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(msg('')).toMatch(/column 1: attempting to parse an empty input/);
    expect(msg('[1,2')).toMatch(/column 5: syntax error while parsing array - unexpected end of input; expected '\]'$/);
    expect(msg('{"a" 1}')).toMatch(/while parsing object separator - unexpected number literal; expected ':'$/);
    expect(msg('01')).toMatch(/unexpected number literal; expected end of input$/);
    expect(msg('"a\nb"')).toMatch(
      /line 2, column 0: .*control character U\+000A \(LF\) must be escaped to \\u000A or \\n; last read: '"a<U\+000A>'$/,
    );
    expect(msg('1e+')).toMatch(/expected digit after exponent sign; last read: '1e\+'$/);
    expect(msg('1e999')).toMatch(/out_of_range\.406\] number overflow parsing '1e999'/);
  });

  it('reads integers beyond 2^53 exactly and keeps object keys safe', () => {
    const v = parseNlohmann('{"nonce":18446744073709551615,"small":42,"neg":-9223372036854775808,"__proto__":1}') as Record<string, unknown>;
    expect(v.nonce).toBe(18446744073709551615n);
    expect(v.small).toBe(42);
    expect(v.neg).toBe(-9223372036854775808n);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toContain('__proto__');
  });

  it('dumps doubles like the node and round-trips the recorded replies byte for byte', () => {
    expect(dumpNlohmann(dbl(1))).toBe('1.0');
    expect(dumpNlohmann(dbl(50))).toBe('50.0');
    expect(dumpNlohmann(dbl(6.91770627854694e-310))).toBe('6.91770627854694e-310');
    expect(dumpNlohmann(dbl(1e-5))).toBe('1e-05');
    expect(dumpNlohmann(dbl(0.001))).toBe('0.001');
    expect(dumpNlohmann(dbl(1e16))).toBe('1e+16');
    expect(dumpNlohmann({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
    // The transcript file was written from the node's replies: every reply re-dumps to the same JSON values,
    // with keys already in the node's order and doubles kept (e.g. "difficulty": 1.0).
    const text = fs.readFileSync(TRANSCRIPT_URL, 'utf8');
    expect(text).toContain('"difficulty": 1.0');
    for (const e of transcriptExact.exchanges) {
      const dumped = dumpNlohmann(e.response);
      expect(JSON.parse(dumped)).toEqual(JSON.parse(JSON.stringify(e.response, (_k, v: unknown) => (v instanceof Double ? v.value : v))));
    }
    const block = dumpNlohmann(transcriptExact.exchanges.find((e) => JSON.stringify(e.request).includes('"getblock"'))!.response);
    expect(block).toContain('"chainwork":2.0,"confirmations":1,"consensustype":"pow_sha256","difficulty":1.0,"feeburnrate":6.91770627854694e-310,');
  });
});
