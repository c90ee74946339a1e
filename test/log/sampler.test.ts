import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LogSampler } from '../../src/log/sampler.js';

function capture(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

describe('LogSampler', () => {
  it('allows perWindow lines per event kind per window and sums up the rest in one line', () => {
    let now = 1_000;
    const { lines, logger } = capture();
    const sampler = new LogSampler(logger, { perWindow: 3, windowMs: 1_000, now: () => now });
    const allowed = Array.from({ length: 10 }, () => sampler.allow('bad line'));
    expect(allowed).toEqual([true, true, true, false, false, false, false, false, false, false]);
    // Another kind has its own allowance.
    expect(sampler.allow('refused request')).toBe(true);
    expect(lines).toEqual([]);
    now += 1_000;
    // The next window: the summary of the last one is written first, then lines are allowed again.
    expect(sampler.allow('bad line')).toBe(true);
    expect(lines).toEqual([expect.objectContaining({ event: 'log_suppressed', suppressedEvent: 'bad line', suppressed: 7, windowMs: 1_000 })]);
    expect(sampler.suppressedTotal.get('bad line')).toBe(7);
  });

  it('flush writes the summaries of ended windows, and nothing for a window without suppressed lines', () => {
    let now = 0;
    const { lines, logger } = capture();
    const sampler = new LogSampler(logger, { perWindow: 1, windowMs: 500, now: () => now });
    sampler.allow('a');
    sampler.allow('a');
    sampler.allow('b');
    sampler.flush();
    expect(lines).toEqual([]);
    now = 600;
    sampler.flush();
    expect(lines.map((l) => [l.suppressedEvent, l.suppressed])).toEqual([['a', 1]]);
    // Forgotten after the flush: a new window starts with a full allowance.
    expect(sampler.allow('a')).toBe(true);
  });

  it('refuses a nonsensical configuration', () => {
    const { logger } = capture();
    expect(() => new LogSampler(logger, { perWindow: 0 })).toThrow(/perWindow/);
    expect(() => new LogSampler(logger, { windowMs: 0 })).toThrow(/windowMs/);
  });
});
