/**
 * Newline-delimited framing for Stratum: one JSON object per line, UTF-8, `\n` or `\r\n` endings. Bytes arrive
 * in arbitrary chunks (partial lines, several pipelined lines in one chunk); the framer cuts them into lines and
 * refuses to buffer more than `maxLineBytes` of one line, so a peer that never sends `\n` cannot grow memory.
 */

export type Frame =
  | { kind: 'line'; text: string }
  /** A complete line that is not valid UTF-8 (binary garbage, a TLS hello on a plain port, ...). */
  | { kind: 'invalid-utf8'; bytes: number }
  /** The current line grew past the limit; the framer stops producing frames after this one. */
  | { kind: 'too-long'; bytes: number };

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * One decoder for every connection: decode() without `stream` keeps no state between calls, and a decoder per
 * connection was memory held by every idle session.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class LineFramer {
  /** Pieces of the unfinished line; kept as a list so a slow trickle is not copied on every chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {}

  /** Splits a chunk into frames. Empty lines are skipped; nothing is returned after a `too-long` frame. */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.overflowed) return frames;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        const rest = chunk.length - start;
        // +1: the unfinished line may end in the `\r` of a `\r\n` terminator that is still in flight.
        if (this.pendingBytes + rest > this.maxLineBytes + 1) return this.overflow(frames, this.pendingBytes + rest);
        this.pending.push(chunk.subarray(start));
        this.pendingBytes += rest;
        break;
      }
      const piece = chunk.subarray(start, nl);
      const lineBytes = this.pendingBytes + piece.length;
      // The limit counts the line without its terminator; a `\r` before `\n` is part of the terminator.
      const contentBytes = lineBytes > 0 && lastByte(this.pending, piece) === CARRIAGE_RETURN ? lineBytes - 1 : lineBytes;
      if (contentBytes > this.maxLineBytes) return this.overflow(frames, contentBytes);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece], lineBytes);
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
      const frame = this.decode(line.subarray(0, contentBytes));
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /** Bytes held for the unfinished line (for memory accounting and tests). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private overflow(frames: Frame[], bytes: number): Frame[] {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    frames.push({ kind: 'too-long', bytes });
    return frames;
  }

  private decode(bytes: Buffer): Frame | null {
    if (bytes.length === 0) return null;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return { kind: 'invalid-utf8', bytes: bytes.length };
    }
    return text.trim() === '' ? null : { kind: 'line', text };
  }
}

function lastByte(pending: Buffer[], piece: Buffer): number | undefined {
  if (piece.length > 0) return piece[piece.length - 1];
  const last = pending[pending.length - 1];
  return last === undefined ? undefined : last[last.length - 1];
}
