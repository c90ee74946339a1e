/**
 * The spool journal file: append-only, one fsync per appended batch (group commit, like the database path), and
 * truncated to zero once every record in it is in the database. See records.ts for the line format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { encodeRecord, parseJournal, type SpoolRecord } from './records.js';

export interface OpenedJournal {
  journal: SpoolJournal;
  /** Records found in the file (from a previous run): not yet known to be in the database. */
  records: SpoolRecord[];
  /** Bytes of a torn last write that were cut off (never acknowledged). */
  tornBytes: number;
}

export class SpoolJournal {
  private constructor(
    readonly file: string,
    private readonly handle: fs.promises.FileHandle,
    private size: number,
  ) {}

  /** Opens (creating if needed) the journal, reads what a previous run left, and cuts off a torn tail. */
  static async open(file: string): Promise<OpenedJournal> {
    const existed = fs.existsSync(file);
    const handle = await fs.promises.open(file, 'a+');
    try {
      const bytes = await handle.readFile();
      const parsed = parseJournal(bytes, file);
      if (parsed.tornBytes > 0) {
        // New records must not follow the garbage: a later read would see the bad line mid-file.
        await handle.truncate(parsed.validBytes);
        await handle.datasync();
      }
      if (!existed) await syncDirectory(path.dirname(file));
      return { journal: new SpoolJournal(file, handle, parsed.validBytes), records: parsed.records, tornBytes: parsed.tornBytes };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Bytes in the file now. */
  get bytes(): number {
    return this.size;
  }

  /** Appends the records in one write and fsyncs: resolves only once they are on disk. */
  async append(records: readonly SpoolRecord[]): Promise<void> {
    if (records.length === 0) return;
    const data = Buffer.from(records.map(encodeRecord).join(''), 'utf8');
    try {
      const written = await this.handle.write(data, 0, data.length, null);
      if (written.bytesWritten !== data.length)
        throw new StoreError(`spool journal ${this.file}: short write (${written.bytesWritten} of ${data.length} bytes)`);
      await this.handle.datasync();
    } catch (err) {
      // Nothing of this batch is acknowledged: cut off what reached the file so the next append starts on a line
      // boundary (if this fails too, the next start drops it as a torn tail).
      await this.handle.truncate(this.size).catch(() => undefined);
      throw err;
    }
    this.size += data.length;
  }

  /** Empties the file (every record in it is in the database). */
  async clear(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.datasync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A new file's directory entry is durable only once the directory itself is fsynced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
