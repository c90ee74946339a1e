/** A real pino logger whose JSON lines are kept in memory, for tests that assert what was logged. */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../src/log/logger.js';

export function memoryLogger(level: pino.Level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const kept: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') kept.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, base: undefined }, sink), lines: () => kept };
}
