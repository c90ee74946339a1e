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

  /**
   * Opens (creating if needed) the journal, reads what a previous run left, and cuts off a torn tail. Refuses a
   * journal another live process holds (see takeLock).
   */
  static async open(file: string): Promise<OpenedJournal> {
    takeLock(file);
    const existed = fs.existsSync(file);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'a+');
    } catch (err) {
      releaseLock(file);
      throw err;
    }
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
      releaseLock(file);
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
    releaseLock(this.file);
  }
}

/** Journals this process holds open. */
const held = new Set<string>();

/**
 * One writer per journal: two pool processes on one data directory would truncate each other's acknowledged
 * records. `<journal>.lock` holds the owner's pid; a lock whose pid is not alive (a killed run) or is this
 * process's own pid (a container restarted with the same pid) is taken over.
 */
function takeLock(file: string): void {
  const resolved = path.resolve(file);
  if (held.has(resolved)) throw new StoreError(`spool journal ${file} is already open in this process`);
  const lock = `${file}.lock`;
  try {
    const owner = Number(fs.readFileSync(lock, 'utf8').trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
      throw new StoreError(`spool journal ${file} is in use by process ${owner} (${lock}): each pool instance needs its own --data-dir`);
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(lock, `${process.pid}\n`);
  held.add(resolved);
}

function releaseLock(file: string): void {
  held.delete(path.resolve(file));
  try {
    if (Number(fs.readFileSync(`${file}.lock`, 'utf8').trim()) === process.pid) fs.rmSync(`${file}.lock`);
  } catch {
    // Already gone: nothing to release.
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
