import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { diffConfig, payoutsChanged } from '../src/reload.js';

describe('diffConfig', () => {
  it('splits changed keys into live ones and restart-only ones', () => {
    const a = loadConfig({ env: {} });
    const b = loadConfig({
      env: { GXC_POOL_FEE: '2', GXC_POOL_NODE_URL: 'http://u:p@127.0.0.1:8332', GXC_POOL_DIFFICULTY: '8' },
    });
    const report = diffConfig(a, b);
    expect(report).toEqual({ applied: ['difficulty', 'payouts.fee'], needsRestart: ['node.url'] });
    expect(payoutsChanged(report)).toBe(true);
    expect(diffConfig(a, a)).toEqual({ applied: [], needsRestart: [] });
    expect(payoutsChanged(diffConfig(a, a))).toBe(false);
  });
});
