/** Readable one-line logs on a terminal, JSON otherwise or when asked; the file log is always JSON. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, prettyStream, prettyWanted } from '../../src/log/logger.js';

describe('log format', () => {
  it('is pretty only on a terminal in auto mode, or when asked', () => {
    expect(prettyWanted('auto', true)).toBe(true);
    expect(prettyWanted('auto', false)).toBe(false);
    expect(prettyWanted('json', true)).toBe(false);
    expect(prettyWanted('pretty', false)).toBe(true);
  });

  it('renders an event as one readable line with its fields', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const logger = pino({ base: undefined }, prettyStream(false, out));
    logger.info({ event: 'block_accepted', miner: 'tGXCabc', worker: 'rig1', height: 42 }, 'block 42 accepted by the node');
    await new Promise((r) => setTimeout(r, 50));
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: block 42 accepted by the node/);
    expect(lines[0]).toContain('"miner":"tGXCabc"');
    expect(lines[0]).toContain('"height":42');
    expect(lines[0]).not.toMatch(/^\{/);
  });

  it('writes JSON lines to the log file whatever the stdout format', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-log-'));
    const file = path.join(dir, 'pool.log');
    try {
      const logger = createLogger({ level: 'info', file, format: 'pretty' });
      logger.info({ event: 'probe', worker: 'w1' }, 'probe line');
      logger.flush();
      const line = fs.readFileSync(file, 'utf8').trim().split('\n').at(-1) as string;
      expect(JSON.parse(line)).toMatchObject({ level: 30, event: 'probe', worker: 'w1', msg: 'probe line' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is chosen by --log-format / GXC_POOL_LOG_FORMAT, with a precise error for a bad value', () => {
    expect(loadConfig({ env: {}, flags: {} }).log.format).toBe('auto');
    expect(loadConfig({ env: {}, flags: { logFormat: 'json' } }).log.format).toBe('json');
    expect(loadConfig({ env: { GXC_POOL_LOG_FORMAT: 'pretty' }, flags: {} }).log.format).toBe('pretty');
    expect(() => loadConfig({ env: {}, flags: { logFormat: 'xml' } })).toThrow(/log\.format: expected one of auto\|pretty\|json, got "xml"/);
  });
});
