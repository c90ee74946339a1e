import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end suites start servers on ephemeral loopback ports; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
    // Children started through bin/gxc-pool.js run src/ (as edited) through tsx, not a possibly stale dist/.
    env: { GXC_POOL_FROM_SOURCE: '1' },
  },
});
