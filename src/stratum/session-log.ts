/**
 * A connection's log lines, with its `session` and `remote` fields bound at log time instead of in a pino child
 * logger per connection: a child (its own bindings string, level state and prototype link) was held by every idle
 * session, and this is four fields. Lines come out with the same fields in the same order as the child's
 * (`session`, `remote`, then `worker` once a SHA-256d session is authorized, then the event's own fields). Fields are only merged when the level is enabled, so a
 * debug line costs nothing at info.
 */
import type { Logger } from '../log/logger.js';

export type SessionLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export class SessionLog {
  /** Bound to the SHA-256d session's lines (not the connection's) once its first worker is authorized. */
  worker: string | null = null;

  constructor(
    private readonly parent: Logger,
    readonly sessionId: string,
    readonly remote: string,
  ) {}

  debug(fields: LogFields | string, msg?: string): void {
    this.write('debug', fields, msg, false);
  }

  info(fields: LogFields | string, msg?: string): void {
    this.write('info', fields, msg, false);
  }

  warn(fields: LogFields | string, msg?: string): void {
    this.write('warn', fields, msg, false);
  }

  error(fields: LogFields | string, msg?: string): void {
    this.write('error', fields, msg, false);
  }

  /** Whether lines at `level` are written: callers skip building fields for lines that would be dropped. */
  enabled(level: SessionLogLevel): boolean {
    return this.parent.isLevelEnabled(level);
  }

  /** A line of the dialect session: carries `worker` once one is bound. */
  sessionLine(level: SessionLogLevel, fields: LogFields, msg: string): void {
    this.write(level, fields, msg, true);
  }

  /** A real pino child with the same bindings, for dialects that keep their own logger (Ethash). */
  child(bindings: LogFields): Logger {
    return this.parent.child({ session: this.sessionId, remote: this.remote, ...bindings });
  }

  private write(level: SessionLogLevel, fields: LogFields | string, msg: string | undefined, withWorker: boolean): void {
    if (!this.parent.isLevelEnabled(level)) return;
    const bound: LogFields = { session: this.sessionId, remote: this.remote };
    if (withWorker && this.worker !== null) bound.worker = this.worker;
    if (typeof fields === 'string') this.parent[level](bound, fields);
    else this.parent[level](Object.assign(bound, fields), msg);
  }
}
