/** The web settings the dashboard issue added: CORS origins and the operator token. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

describe('web settings', () => {
  it('reads web.cors and web.adminToken from flags and the environment', () => {
    const cfg = loadConfig({ env: { GXC_POOL_ADMIN_TOKEN: 'a-long-operator-token' }, flags: { webCors: 'https://a.example,https://b.example' } });
    expect(cfg.web.adminToken).toBe('a-long-operator-token');
    expect(cfg.web.cors).toBe('https://a.example,https://b.example');
    expect(loadConfig({ env: {}, flags: {} }).web.adminToken).toBeUndefined();
  });

  it('refuses a short operator token with a precise message', () => {
    expect(() => loadConfig({ env: { GXC_POOL_ADMIN_TOKEN: 'short' }, flags: {} })).toThrow(
      /web\.adminToken: expected an admin token of at least 16 characters/,
    );
  });
});
