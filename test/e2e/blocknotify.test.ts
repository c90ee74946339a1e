/** The node's blocknotify hook: `gxc-pool blocknotify` makes the pool fetch new work at once, without polling. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { runBlocknotifyCommand } from '../../src/commands.js';
import { loadConfig } from '../../src/config/load.js';
import { startGxcDevnet, type GxcDevnet } from '../../src/devnet/gxc/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { TestClient } from '../stratum/helpers/client.js';

const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

describe('blocknotify', () => {
  let dir: string;
  let devnet: GxcDevnet;
  let app: PoolProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-notify-'));
    devnet = await startGxcDevnet({ difficulty: 3 });
    // Tip polling effectively off (once a minute): only the hook can bring the new block in time.
    const file = path.join(dir, 'pool.json');
    fs.writeFileSync(file, JSON.stringify({ node: { pollMs: 60_000, refreshSeconds: 3600 } }));
    const cfg = loadConfig({
      configFile: file,
      env: {},
      flags: { nodeUrl: devnet.url, chain: 'gxc', poolAddress: ADDRESS, dataDir: dir, pool: 'asic', logLevel: 'silent' },
    });
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger });
  });

  afterAll(async () => {
    await app?.stop();
    await devnet?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends clean jobs for the new block right after the hook fires', async () => {
    const pool = app.pools[0]!;
    const c = await TestClient.open(pool.stratumPort);
    try {
      await c.call(1, 'mining.subscribe', []);
      await c.call(2, 'mining.authorize', [`${ADDRESS}.w`, 'x']);
      const first = await c.notification('mining.notify');
      // Someone else mines a block on the node.
      const rpc = createRpcClient({ url: devnet.url, jsonrpc: '2.0' });
      await rpc.call('generatetoaddress', [1, 'tGXCsomeoneelse000000000000000000']);
      rpc.close();
      await new Promise((r) => setTimeout(r, 500));
      expect(c.pending().some((m) => m.method === 'mining.notify')).toBe(false);

      await runBlocknotifyCommand(`http://127.0.0.1:${pool.webPort}`, undefined);
      const next = await c.notification('mining.notify', 2000);
      expect((next.params as unknown[])[8]).toBe(true);
      expect((next.params as unknown[])[1]).not.toBe((first.params as unknown[])[1]);
    } finally {
      c.close();
    }
  }, 30_000);
});
