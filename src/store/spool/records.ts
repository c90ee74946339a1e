/**
 * The spool journal's on-disk format, as pure functions (no I/O). One record per line:
 *
 *   <16 hex: first 8 bytes of sha256(json)> <space> <json> \n
 *
 * JSON lines keep the file readable with `less` when an operator has to look at it; the checksum catches a
 * damaged line. A crash can only tear the *end* of the file (records are appended, each batch in one write and
 * fsynced before any of its shares is acknowledged), so invalid lines after the last valid one are a torn tail:
 * they were never acknowledged and are dropped. An invalid line followed by a valid one is damage the pool did
 * not cause; it is refused with the line number, never skipped (the records after it were acknowledged).
 */
import { createHash } from 'node:crypto';
import { StoreError } from '../errors.js';
import { validateShare } from '../sql/shares.js';
import type { NewBlock, NewShare } from '../types.js';

/** An acknowledged share the database did not take yet. */
export interface SpooledShare {
  kind: 'share';
  share: NewShare;
}

/**
 * A found block's row. `shareHash` is set when the block's own share is spooled too (its id is unknown until the
 * replay); the replay then looks the id up by that hash (`block.shareId` is null in the record).
 */
export interface SpooledBlock {
  kind: 'block';
  block: NewBlock;
  shareHash: string | null;
}

export type SpoolRecord = SpooledShare | SpooledBlock;

export class JournalCorruptError extends StoreError {
  override readonly name = 'JournalCorruptError';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(
      `spool journal ${file} is damaged at line ${line} (${reason}) and valid records follow it: ` +
        'refusing to start rather than skip acknowledged shares; repair or move the file aside by hand',
    );
  }
}

const CHECKSUM_HEX = 16;

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, CHECKSUM_HEX);
}

/** One line (with its newline) for a record. The block reward is a bigint: written as a decimal string. */
export function encodeRecord(record: SpoolRecord): string {
  const body =
    record.kind === 'share'
      ? { kind: 'share', share: record.share }
      : { kind: 'block', block: { ...record.block, reward: record.block.reward.toString() }, shareHash: record.shareHash };
  const json = JSON.stringify(body);
  return `${checksum(json)} ${json}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeBlock(raw: unknown): NewBlock {
  if (!isObject(raw)) throw new StoreError('block is not an object');
  const str = (k: string): string => {
    const v = raw[k];
    if (typeof v !== 'string') throw new StoreError(`block.${k} must be a string`);
    return v;
  };
  const int = (k: string): number => {
    const v = raw[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new StoreError(`block.${k} must be a non-negative integer`);
    return v;
  };
  const reward = str('reward');
  if (!/^\d+$/.test(reward)) throw new StoreError('block.reward must be a decimal integer string');
  const networkDifficulty = raw.networkDifficulty;
  if (typeof networkDifficulty !== 'number' || !Number.isFinite(networkDifficulty) || networkDifficulty < 0)
    throw new StoreError('block.networkDifficulty must be a finite number >= 0');
  const shareId = raw.shareId === null ? null : int('shareId');
  return {
    pool: str('pool'),
    chain: str('chain'),
    height: int('height'),
    hash: str('hash'),
    prevHash: str('prevHash'),
    headerHex: str('headerHex'),
    submission: str('submission'),
    address: str('address'),
    worker: str('worker'),
    reward: BigInt(reward),
    networkDifficulty,
    shareId,
    createdAt: int('createdAt'),
  };
}

function decodeShare(raw: unknown): NewShare {
  if (!isObject(raw)) throw new StoreError('share is not an object');
  const share = {
    pool: raw.pool,
    instanceId: raw.instanceId,
    address: raw.address,
    worker: raw.worker,
    jobId: raw.jobId,
    height: raw.height,
    difficulty: raw.difficulty,
    networkDifficulty: raw.networkDifficulty,
    actualDifficulty: raw.actualDifficulty,
    hash: raw.hash,
    isBlock: raw.isBlock,
    createdAt: raw.createdAt,
  } as NewShare;
  validateShare(share, 0);
  return share;
}

/** Parses one line (without its newline); throws StoreError saying what is wrong with it. */
export function decodeRecord(line: string): SpoolRecord {
  const space = line.indexOf(' ');
  if (space !== CHECKSUM_HEX) throw new StoreError('no checksum prefix');
  const json = line.slice(space + 1);
  if (line.slice(0, space) !== checksum(json)) throw new StoreError('checksum mismatch');
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw new StoreError('not JSON');
  }
  if (!isObject(body)) throw new StoreError('record is not an object');
  if (body.kind === 'share') return { kind: 'share', share: decodeShare(body.share) };
  if (body.kind === 'block') {
    const shareHash = body.shareHash;
    if (shareHash !== null && typeof shareHash !== 'string') throw new StoreError('shareHash must be a string or null');
    return { kind: 'block', block: decodeBlock(body.block), shareHash };
  }
  throw new StoreError(`unknown record kind ${JSON.stringify(body.kind)}`);
}

export interface ParsedJournal {
  records: SpoolRecord[];
  /** Bytes of the file holding valid records; everything after is the torn tail. */
  validBytes: number;
  /** Bytes dropped as a torn tail (0 for a clean file). */
  tornBytes: number;
}

/** Reads a whole journal. `file` only names it in errors. Throws JournalCorruptError on damage mid-file. */
export function parseJournal(bytes: Buffer, file: string): ParsedJournal {
  const records: SpoolRecord[] = [];
  let validBytes = 0;
  let offset = 0;
  let lineNo = 0;
  let firstBad: { line: number; reason: string } | null = null;
  while (offset < bytes.length) {
    const nl = bytes.indexOf(0x0a, offset);
    if (nl < 0) break; // no newline: the last write was cut short
    lineNo += 1;
    const line = bytes.toString('utf8', offset, nl);
    offset = nl + 1;
    let record: SpoolRecord;
    try {
      record = decodeRecord(line);
    } catch (err) {
      firstBad ??= { line: lineNo, reason: (err as Error).message };
      continue;
    }
    if (firstBad !== null) throw new JournalCorruptError(file, firstBad.line, firstBad.reason);
    records.push(record);
    validBytes = offset;
  }
  return { records, validBytes, tornBytes: bytes.length - validBytes };
}
