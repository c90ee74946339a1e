import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { redactUrl } from '../../src/store/postgres/index.js';

describe('createStore', () => {
  it('opens sqlite:PATH (relative or sqlite:///absolute)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-createstore-'));
    try {
      const file = path.join(dir, 'a.db');
      for (const url of [`sqlite:${file}`, `sqlite://${file}`]) {
        const store = await createStore(url);
        expect(store.description).toBe(`sqlite:${file}`);
        await store.migrate();
        await store.close();
      }
      expect(fs.existsSync(file)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens postgres:// lazily and never shows the password', async () => {
    const store = await createStore('postgres://pool:s3cret@127.0.0.1:1/pooldb');
    expect(store.description).toBe('postgres://pool:***@127.0.0.1:1/pooldb');
    expect(store.description).not.toContain('s3cret');
    await store.close();
    expect(redactUrl('postgresql://u@h/db')).toBe('postgresql://u@h/db');
  });

  it('refuses unknown or empty URLs precisely', async () => {
    await expect(createStore('mysql://x')).rejects.toThrow(/unsupported store url "mysql:\/\/x"/);
    await expect(createStore('sqlite:')).rejects.toThrow(/has no file path/);
  });
});
