import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, JournalCorruptError, parseJournal, type SpoolRecord } from '../../src/store/spool/records.js';
import { block, share } from './support.js';

const records: SpoolRecord[] = [
  { kind: 'share', share: share({ worker: 'w1' }) },
  { kind: 'share', share: share({ worker: 'wé✓' }) },
  { kind: 'block', block: block({ reward: 2n ** 62n + 1n }), shareHash: 'ab'.repeat(32) },
  { kind: 'share', share: share({ worker: 'w3', isBlock: true }) },
];
const text = records.map(encodeRecord).join('');
const bytes = Buffer.from(text, 'utf8');
/** Byte offsets where each record's line ends (after its newline). */
const lineEnds: number[] = [];
for (const r of records) lineEnds.push((lineEnds.at(-1) ?? 0) + Buffer.byteLength(encodeRecord(r)));

describe('spool journal records', () => {
  it('round-trips shares and blocks (bigint reward, non-ASCII worker names)', () => {
    expect(parseJournal(bytes, 'j')).toEqual({ records, validBytes: bytes.length, tornBytes: 0 });
    expect(decodeRecord(encodeRecord(records[2] as SpoolRecord).trimEnd())).toEqual(records[2]);
  });

  it('a file cut at any byte keeps exactly the complete records before the cut, never throws', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parsed = parseJournal(bytes.subarray(0, cut), 'j');
      const complete = lineEnds.filter((end) => end <= cut).length;
      expect(parsed.records).toEqual(records.slice(0, complete));
      expect(parsed.validBytes).toBe(lineEnds[complete - 1] ?? 0);
      expect(parsed.tornBytes).toBe(cut - parsed.validBytes);
    }
  });

  it('a damaged last line (checksum mismatch, zeros from a lost write) is a torn tail', () => {
    const last = lineEnds[2] as number;
    const flipped = Buffer.from(bytes);
    flipped[last + 30] = (flipped[last + 30] as number) ^ 0x01;
    const parsed = parseJournal(flipped, 'j');
    expect(parsed.records).toEqual(records.slice(0, 3));
    expect(parsed.tornBytes).toBe(bytes.length - last);

    const zeros = Buffer.concat([bytes, Buffer.alloc(4096), Buffer.from('\n')]);
    expect(parseJournal(zeros, 'j')).toMatchObject({ records, validBytes: bytes.length, tornBytes: 4097 });
  });

  it('damage followed by a valid record is refused with its line number, never skipped', () => {
    const flipped = Buffer.from(bytes);
    const inSecond = (lineEnds[0] as number) + 40;
    flipped[inSecond] = (flipped[inSecond] as number) ^ 0x20;
    expect(() => parseJournal(flipped, '/data/pg-spool.journal')).toThrow(JournalCorruptError);
    expect(() => parseJournal(flipped, '/data/pg-spool.journal')).toThrow(/pg-spool\.journal is damaged at line 2 \(checksum mismatch\)/);
  });

  it('names what is wrong with a line', () => {
    expect(() => decodeRecord('nochecksum')).toThrow(/no checksum prefix/);
    expect(() => decodeRecord(`${'0'.repeat(16)} {}`)).toThrow(/checksum mismatch/);
    // Correct checksums over wrong JSON (what a bug, not a crash, could write) reach the field checks.
    expect(() => decodeRecord(signed('{"kind":"share","share":{"pool":""}}'))).toThrow(/share #0: address must be a string/);
    expect(() => decodeRecord(signed('{"kind":"block","block":{"pool":"p","reward":"1.5"},"shareHash":null}'))).toThrow(
      /block\.reward must be a decimal integer string/,
    );
    expect(() => decodeRecord(signed('{"kind":"block","block":{"reward":"1"},"shareHash":null}'))).toThrow(/block\.networkDifficulty/);
    expect(() => decodeRecord(signed('{"kind":"block","block":{},"shareHash":7}'))).toThrow(/shareHash must be a string or null/);
    expect(() => decodeRecord(signed('{"kind":"payment"}'))).toThrow(/unknown record kind "payment"/);
    expect(() => decodeRecord(signed('[1]'))).toThrow(/record is not an object/);
    expect(() => decodeRecord(signed('{"kind":'))).toThrow(/not JSON/);
  });
});

function signed(json: string): string {
  return `${createHash('sha256').update(json).digest('hex').slice(0, 16)} ${json}`;
}
