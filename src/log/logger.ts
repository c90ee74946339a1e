import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One structured line per event, on stdout and — with `file` — appended to a log file too (the pool writes
 * `<data-dir>/gxc-pool.log`). Tests pass `level: 'silent'` (or set GXC_POOL_LOG_LEVEL) to keep output quiet.
 */
export function createLogger(opts: { level?: string; name?: string; file?: string } = {}): Logger {
  const level = opts.level ?? process.env.GXC_POOL_LOG_LEVEL ?? 'info';
  const options = { level, name: opts.name ?? 'gxc-pool', base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (!opts.file) return pino(options);
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  // Synchronous writes: a line logged just before a crash (a found block, a payment) is on disk.
  const streams = [
    { level: level as pino.Level, stream: pino.destination({ dest: 1, sync: true }) },
    { level: level as pino.Level, stream: pino.destination({ dest: opts.file, append: true, sync: true }) },
  ];
  return pino(options, pino.multistream(streams));
}

/** A logger that drops everything, for tests and library callers that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });
