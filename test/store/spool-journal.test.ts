import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolJournal } from '../../src/store/spool/journal.js';
import { JournalCorruptError, type SpoolRecord } from '../../src/store/spool/records.js';
import { share } from './support.js';

const rec = (worker: string): SpoolRecord => ({ kind: 'share', share: share({ worker }) });

describe('SpoolJournal file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-journal-'));
    file = path.join(dir, 'pg-spool.journal');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps appended batches across reopen, and clear() empties the file', async () => {
    const a = await SpoolJournal.open(file);
    expect(a.records).toEqual([]);
    const batch1 = [rec('a1'), rec('a2')];
    const batch2 = [rec('b1')];
    await a.journal.append(batch1);
    await a.journal.append(batch2);
    expect(a.journal.bytes).toBe(fs.statSync(file).size);
    await a.journal.close();

    const b = await SpoolJournal.open(file);
    expect(b.records).toEqual([...batch1, ...batch2]);
    expect(b.tornBytes).toBe(0);
    await b.journal.clear();
    await b.journal.close();
    expect(fs.statSync(file).size).toBe(0);
  });

  it('cuts off a torn last write on open so the next append starts on a clean line', async () => {
    const a = await SpoolJournal.open(file);
    await a.journal.append([rec('kept')]);
    await a.journal.close();
    const good = fs.statSync(file).size;
    // A crash in the middle of the next batch's write: half a line, never fsynced nor acknowledged.
    fs.appendFileSync(file, '0123456789abcdef {"kind":"share","sha');

    const b = await SpoolJournal.open(file);
    expect(b.records.map((r) => (r.kind === 'share' ? r.share.worker : ''))).toEqual(['kept']);
    expect(b.tornBytes).toBe(37);
    expect(fs.statSync(file).size).toBe(good);
    await b.journal.append([rec('next')]);
    await b.journal.close();

    const c = await SpoolJournal.open(file);
    expect(c.records.map((r) => (r.kind === 'share' ? r.share.worker : ''))).toEqual(['kept', 'next']);
    await c.journal.close();
  });

  it('refuses to open a file damaged before valid records, and leaves it untouched', async () => {
    const a = await SpoolJournal.open(file);
    await a.journal.append([rec('one'), rec('two')]);
    await a.journal.close();
    const bytes = fs.readFileSync(file);
    bytes[20] = (bytes[20] as number) ^ 0x04;
    fs.writeFileSync(file, bytes);
    await expect(SpoolJournal.open(file)).rejects.toThrow(JournalCorruptError);
    expect(fs.readFileSync(file)).toEqual(bytes);
  });
});

describe('SpoolJournal ownership', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-journal-lock-'));
    file = path.join(dir, 'pg-spool.journal');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a journal another live process holds, and a second open in this process', async () => {
    // The test runner's parent process is alive and is not us.
    fs.writeFileSync(`${file}.lock`, `${process.ppid}\n`);
    await expect(SpoolJournal.open(file)).rejects.toThrow(`is in use by process ${process.ppid}`);
    fs.rmSync(`${file}.lock`);

    const first = await SpoolJournal.open(file);
    await expect(SpoolJournal.open(file)).rejects.toThrow(/already open in this process/);
    await first.journal.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over the lock of a process that is gone (a killed run)', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    if (dead === undefined) throw new Error('could not run a short-lived process');
    fs.writeFileSync(`${file}.lock`, `${dead}\n`);
    const opened = await SpoolJournal.open(file);
    expect(fs.readFileSync(`${file}.lock`, 'utf8').trim()).toBe(String(process.pid));
    await opened.journal.close();
  });
});
