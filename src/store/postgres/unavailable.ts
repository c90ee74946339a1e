/**
 * Which PostgreSQL failures mean "the database cannot be reached now" (the spool takes the batch) rather than
 * "the data was refused" (the batch is rejected). Only the first kind may be spooled: spooling a share the
 * database refuses would replay a failure forever.
 */

/** Socket-level errors of the driver's connection (node's net errors). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: class 08 connection exception; 57P01-57P03 admin/crash shutdown and "cannot connect now" (starting
 * up, shutting down); class 53 insufficient resources (disk full, out of memory, too many connections): the
 * server cannot store anything now, but the data itself is fine.
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** Messages node-postgres throws without a code when a connection dies or cannot be made in time. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

export function isPostgresUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if (err instanceof AggregateError) return err.errors.some(isPostgresUnavailable);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlState(code)))) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_MESSAGES.some((m) => message.includes(m));
}
