import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** stdout format: readable one-line logs for people, JSON for machines; `auto` picks by whether stdout is a TTY. */
export type LogFormat = 'auto' | 'pretty' | 'json';

export function prettyWanted(format: LogFormat, stdoutIsTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

/**
 * A readable one-line stream: time, level, message, then the event's fields as key=value (the same fields the
 * JSON line has, so nothing is lost for a person reading a terminal). Synchronous like the JSON destination.
 */
export function prettyStream(colorize: boolean, destination: number | NodeJS.WritableStream = 1): NodeJS.WritableStream {
  // Required only when wanted: a service logging JSON (stdout not a terminal) never loads pino-pretty and its deps.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pinoPretty({
    colorize,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    destination,
  });
}

/**
 * One structured line per event, on stdout and — with `file` — appended to a log file too (the pool writes
 * `<data-dir>/gxc-pool.log`, always JSON). Tests pass `level: 'silent'` (or set GXC_POOL_LOG_LEVEL) to keep output
 * quiet.
 */
export function createLogger(opts: { level?: string; name?: string; file?: string; format?: LogFormat } = {}): Logger {
  const level = opts.level ?? process.env.GXC_POOL_LOG_LEVEL ?? 'info';
  const options = { level, name: opts.name ?? 'gxc-pool', base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  const tty = process.stdout.isTTY === true;
  // Synchronous writes: a line logged just before a crash (a found block, a payment) is on disk.
  const stdout = prettyWanted(opts.format ?? 'auto', tty) ? prettyStream(tty) : pino.destination({ dest: 1, sync: true });
  if (!opts.file) return pino(options, stdout);
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  const streams = [
    { level: level as pino.Level, stream: stdout },
    { level: level as pino.Level, stream: pino.destination({ dest: opts.file, append: true, sync: true }) },
  ];
  return pino(options, pino.multistream(streams));
}

/** A logger that drops everything, for tests and library callers that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });
