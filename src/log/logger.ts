import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One structured line per event. Tests pass `level: 'silent'` (or set GXC_POOL_LOG_LEVEL) to keep output quiet.
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  const level = opts.level ?? process.env.GXC_POOL_LOG_LEVEL ?? 'info';
  return pino({ level, name: opts.name ?? 'gxc-pool', base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything, for tests and library callers that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });
