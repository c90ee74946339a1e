/**
 * The PostgreSQL spool journal's own cost: how many shares a second can be acknowledged from the journal (one
 * write + fdatasync per batch, as the share writer does while the database is down) for several batch sizes, and
 * how fast a journal is read back at start-up. The database side of the replay is not timed here (it is one
 * INSERT ... unnest per 1,000 records, like the direct path).
 *
 *   node bin/run-ts.js bench/spool.ts [--seconds=2] [--batches=2000] [--dir=/path/on/the/disk/to/measure]
 *
 * Each batch size runs until --seconds or --batches, whichever comes first. --dir defaults to the OS temp dir
 * (mind: /tmp may be a tmpfs where fsync costs nothing; give a directory on the data disk for real figures).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpoolJournal } from '../src/store/spool/journal.js';
import type { SpoolRecord } from '../src/store/spool/records.js';
import { argValue, numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';

const seconds = numberArg('seconds', 2);
const maxBatches = Math.floor(numberArg('batches', 2000));
const baseDir = argValue('dir') ?? os.tmpdir();

function record(i: number): SpoolRecord {
  return {
    kind: 'share',
    share: {
      pool: 'general',
      instanceId: 3,
      address: 'bcrt1q5r7u7r87mp9sekv2wuc2n36cs3sznej2nle2j9',
      worker: `rig${i % 50}`,
      jobId: (i >>> 4).toString(16),
      height: 812_345,
      difficulty: 65536,
      networkDifficulty: 8.3e13,
      actualDifficulty: 65536 + (i % 1000),
      hash: i.toString(16).padStart(64, '0'),
      isBlock: false,
      createdAt: 1_764_000_000_000 + i,
    },
  };
}

async function main(): Promise<void> {
  printMachine('spool journal: acknowledge from the journal (append + fdatasync per batch), read back at start-up');
  const dir = fs.mkdtempSync(path.join(baseDir, 'gxc-bench-spool-'));
  console.log(`journal directory: ${dir} (filesystem type: ${fsType(dir)})`);
  try {
    console.log('batch size | batches | shares/s acknowledged | ms per batch (write + fdatasync) | bytes/share');
    let n = 0;
    for (const size of [1, 10, 100, 500]) {
      const file = path.join(dir, `journal-${size}`);
      const { journal } = await SpoolJournal.open(file);
      const started = process.hrtime.bigint();
      const until = Date.now() + seconds * 1000;
      let batches = 0;
      while (batches < maxBatches && Date.now() < until) {
        await journal.append(Array.from({ length: size }, () => record(n++)));
        batches++;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const shares = batches * size;
      console.log(
        `${String(size).padStart(10)} | ${String(batches).padStart(7)} | ${Math.round((shares / ms) * 1000)
          .toLocaleString('en-US')
          .padStart(21)} | ${(ms / batches).toFixed(3).padStart(32)} | ${Math.round(journal.bytes / shares)}`,
      );
      await journal.close();
    }
    const biggest = path.join(dir, 'journal-500');
    const started = process.hrtime.bigint();
    const reopened = await SpoolJournal.open(biggest);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `start-up read of ${reopened.records.length.toLocaleString('en-US')} records (${(reopened.journal.bytes / 1e6).toFixed(1)} MB): ${ms.toFixed(0)} ms (${Math.round((reopened.records.length / ms) * 1000).toLocaleString('en-US')} records/s, checksums and field checks included)`,
    );
    await reopened.journal.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function fsType(dir: string): string {
  try {
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '));
    const best = mounts.filter((m) => m[1] !== undefined && dir.startsWith(m[1])).sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0))[0];
    return best?.[2] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

await main();
