import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { banPolicyFrom, stratumLimitsFrom } from '../src/runtime-config.js';
import { DEFAULT_BAN_POLICY } from '../src/stratum/bans.js';

function withFile(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-rtcfg-'));
  const file = path.join(dir, 'pool.json');
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('stratum limits and ban settings', () => {
  it('defaults map to the ban policy and limits the servers use', () => {
    const cfg = loadConfig({ env: {} });
    expect(banPolicyFrom(cfg)).toEqual(DEFAULT_BAN_POLICY);
    expect(stratumLimitsFrom(cfg)).toEqual({ maxConnections: 10_000, maxConnectionsPerIp: 256, idleTimeoutMs: 15_000 });
  });

  it('a config file may set some ban keys and keep the other defaults', () => {
    const cfg = loadConfig({ env: {}, configFile: withFile({ stratum: { idleTimeoutSeconds: 5, bans: { durationSeconds: 3600, junkLines: 4 } } }) });
    expect(banPolicyFrom(cfg)).toEqual({ ...DEFAULT_BAN_POLICY, durationMs: 3_600_000, junkLines: 4 });
    expect(stratumLimitsFrom(cfg).idleTimeoutMs).toBe(5000);
  });

  it('bad ban settings are refused with precise messages', () => {
    const file = withFile({ stratum: { idleTimeoutSeconds: 0, bans: { invalidSharePercent: 150, minShares: 2.5, enabled: 'yes', window: 1 } } });
    let message = '';
    try {
      loadConfig({ env: {}, configFile: file });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('stratum.idleTimeoutSeconds: expected an idle timeout in seconds > 0, got 0');
    expect(message).toContain('stratum.bans.invalidSharePercent: expected 0 < percent <= 100, got 150');
    expect(message).toContain('stratum.bans.minShares:');
    expect(message).toContain('stratum.bans.enabled:');
    expect(message).toContain('stratum.bans: Unrecognized key: "window"');
  });
});
