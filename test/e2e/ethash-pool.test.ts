/**
 * End to end, Ethash: the pool as `npm start` runs it (embedded GXC devnet, SQLite, all three pools), Ethash miners
 * in each dialect hashing real Ethash (light mode) on the gpu port and on the general port, bad input per dialect,
 * an Ethash block accepted by the devnet's own Ethash re-verification, and its PPLNS split next to a SHA-256d
 * miner's shares. Devnet difficulty 2 (256 hashes a block) and share difficulty 1e-8 (~43 hashes a share) keep a
 * loaded CPU within seconds per share; every wait is bounded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log/logger.js';
import { ethashCreditedDifficulty } from '../../src/pool/ethash-share.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { findShare, parseNotify } from '../helpers/share-finder.js';
import { TestClient } from '../stratum/helpers/client.js';
import { startEthashMiner, type EthashClientDialect, type EthashMinerHandle } from '../../src/miner/index.js';
import { EthashTestMiner, type EthashDialect } from './fixtures/ethash-miner.js';
import { until } from './fixtures/env.js';

const DIALECTS: EthashDialect[] = ['ethstratum', 'ethproxy', 'ethminer'];
/** The built-in miner's names for the same three dialects. */
const BUILT_IN: EthashClientDialect[] = ['ethstratum', 'ethproxy', 'stratum'];
const addressOf = (tag: string): string => `tGXC${tag.padEnd(30, '0')}`;
const SHA_MINER = addressOf('sha256dminer');

let app: PoolProcess;
let dataDir: string;
const miners: EthashTestMiner[] = [];
const builtIn: EthashMinerHandle[] = [];
const portOf = (name: string): number => app.pools.find((p) => p.settings.name === name)!.stratumPort;
const webOf = (name: string): number => app.pools.find((p) => p.settings.name === name)!.webPort;
const getJson = async <T>(port: number, url: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${port}${url}`)).json()) as T;

function startBuiltIn(port: number, dialect: EthashClientDialect, tag: string): EthashMinerHandle {
  const m = startEthashMiner({ url: `stratum+tcp://127.0.0.1:${port}`, user: `${addressOf(tag)}.${dialect}`, dialect, threads: 1 });
  builtIn.push(m);
  return m;
}

async function miner(port: number, dialect: EthashDialect, tag: string): Promise<EthashTestMiner> {
  const m = await EthashTestMiner.connect(port, dialect, `${addressOf(tag)}.${dialect}`);
  miners.push(m);
  return m;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-e2e-ethash-'));
  const cfg = loadConfig({
    env: {},
    flags: { devnetFlavor: 'gxc', devnetDifficulty: '2', dataDir, logLevel: 'silent', difficulty: '1e-8', pplnsWindow: '1000' },
  });
  app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger, ledger: { tickMs: 250 } });
}, 60_000);

afterAll(async () => {
  for (const m of miners) await m.stop();
  for (const m of builtIn) await m.stop();
  await app?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('Ethash on the GXC devnet', () => {
  it('the gpu pool has Ethash work from the GXC template and reports healthy', async () => {
    const health = await until('gpu health ok', 30_000, async () => {
      const h = await getJson<{ ok: boolean }>(webOf('gpu'), '/api/health');
      return h.ok ? h : null;
    });
    expect(health.ok).toBe(true);
    const stats = await getJson<{ algorithm: string; current_job: unknown }>(webOf('gpu'), '/api/stats');
    expect(stats.algorithm).toBe('ethash');
    expect(stats.current_job).not.toBeNull();
  });

  it('the built-in Ethash miner in each dialect gets shares accepted on the gpu port; bad input is refused precisely', {
    timeout: 240_000,
  }, async () => {
    const good = BUILT_IN.map((d) => startBuiltIn(portOf('gpu'), d, `gpu${d}`));
    await until('an accepted share in every dialect', 180_000, () => good.every((m) => m.stats().accepted >= 1), 200);

    // A separate client per dialect sends bad input; the good miners must keep going.
    const before = good.map((m) => m.stats().accepted);
    for (const d of DIALECTS) {
      const bad = await miner(portOf('gpu'), d, `bad${d}`);
      // The same nonce on the same header again: a duplicate. The good miners find devnet blocks meanwhile; when
      // one lands between the two submits the job is stale first (21, also precise), so take a fresh share.
      let found = await bad.findShare();
      for (let attempt = 1; ; attempt++) {
        const first = await bad.submit(found.work, found.nonce, found.mixDigest);
        const dup = first.error === null ? await bad.submit(found.work, found.nonce, found.mixDigest) : first;
        const text = JSON.stringify(dup.error);
        if (first.error === null && /22|[Dd]uplicate/.test(text)) break;
        expect(text, `attempt ${attempt}: only a stale job may interrupt the duplicate check`).toMatch(/21|[Ss]tale/);
        expect(attempt).toBeLessThan(5);
        found = await bad.findShare();
      }
      const { work, nonce, mixDigest } = found;
      // Junk hex where the nonce goes.
      const junk = await bad.submit(work, nonce + 1n, mixDigest, { nonceHex: d === 'ethstratum' ? 'zz' : 'zzzzzzzzzzzzzzzz' });
      expect(junk.error).not.toBeNull();
      if (d === 'ethstratum') {
        // EthereumStratum: the pool computes the mix itself; a job id it never sent is stale.
        expect(JSON.stringify((await bad.submit(work, nonce + 2n, mixDigest, { jobId: 'ffffffff' })).error)).toMatch(/21|[Jj]ob/);
      } else {
        const wrongMix = await bad.submit(work, nonce, 'ab'.repeat(32), { mix: 'ab'.repeat(32) });
        expect(wrongMix.error).not.toBeNull();
      }
      if (d !== 'ethstratum') expect(bad.client.isClosed).toBe(false);
    }
    await until('the good miners still get shares accepted', 120_000, () => good.every((m, i) => m.stats().accepted > before[i]!), 200);
    for (const m of good) await m.stop();
  });

  it('on the general port, Ethash in every dialect next to SHA-256d: an Ethash block the devnet verified, split by PPLNS', {
    timeout: 300_000,
  }, async () => {
    // SHA-256d shares first, so they are inside the window of the Ethash block found afterwards.
    const sha = await TestClient.open(portOf('general'));
    const sub = await sha.call(1, 'mining.subscribe', ['cpuminer/2.5.1']);
    const [, extranonce1, en2Size] = sub.result as [unknown, string, number];
    expect((await sha.call(2, 'mining.authorize', [`${SHA_MINER}.asic`, 'x'])).result).toBe(true);
    const shaDifficulty = Number(((await sha.notification('mining.set_difficulty')).params as number[])[0]);
    const job = parseNotify((await sha.notification('mining.notify')).params as unknown[]);
    let shaAccepted = 0;
    for (let i = 0; i < 5; i++) {
      const share = findShare(job, extranonce1, (i + 1).toString(16).padStart(en2Size * 2, '0'), shaDifficulty, { notBlock: true });
      const reply = await sha.call(10 + i, 'mining.submit', [`${SHA_MINER}.asic`, job.jobId, share.extranonce2, share.ntime, share.nonce]);
      if (reply.result === true) shaAccepted++;
    }
    expect(shaAccepted).toBeGreaterThanOrEqual(3);

    const ethash = await Promise.all(DIALECTS.map((d) => miner(portOf('general'), d, `gen${d}`)));
    for (const m of ethash) m.start(40_000);
    const general = BUILT_IN.map((d) => startBuiltIn(portOf('general'), d, `bin${d}`));
    const ethashWorkers = new Set([...ethash.map((m) => m.user), ...BUILT_IN.map((d) => `${addressOf(`bin${d}`)}.${d}`)]);
    type BlockJson = { id: number; height: number; hash: string; miner: string; status: string };
    const block = await until(
      'an Ethash block accepted by the devnet',
      240_000,
      async () => {
        const blocks = await getJson<BlockJson[]>(webOf('general'), '/api/blocks');
        return blocks.find((b) => ethashWorkers.has(b.miner) && ['pending', 'immature', 'confirmed'].includes(b.status));
      },
      250,
    );
    await until(
      'the built-in miner accepted on the general port in every dialect',
      120_000,
      () => general.every((m) => m.stats().accepted >= 1),
      200,
    );
    const rpc = createRpcClient({ url: app.node.devnetUrl!, jsonrpc: '2.0', retries: 0, timeoutMs: 10_000 });
    try {
      const onChain = await rpc.call<Record<string, unknown>>('getblock', [block.height]);
      expect(onChain).toMatchObject({ hash: block.hash, consensustype: 'pow_ethash' });
      expect(onChain.pool_header_hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      rpc.close();
    }
    for (const m of ethash) await m.stop();
    for (const m of general) await m.stop();

    type Split = {
      share_difficulty_unit: string;
      rewards: Array<{ address: string; amount_units: string; share_difficulty_sum: number; share_count: number }>;
    };
    const split = await until(
      'the block credited',
      60_000,
      async () => {
        const s = await getJson<Split>(webOf('general'), `/api/blocks/${block.id}/rewards`);
        return s.rewards.length > 0 ? s : null;
      },
      250,
    );
    const shaRow = split.rewards.find((r) => r.address === SHA_MINER);
    const finder = split.rewards.find((r) => `${r.address}.${block.miner.split('.')[1]}` === block.miner);
    expect(shaRow).toBeDefined();
    expect(finder).toBeDefined();

    // Every stored share is credited in the one unit: SHA-256d at its job difficulty, Ethash D at D x 65535/65536.
    const db = new Database(path.join(dataDir, 'pool.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT address, difficulty FROM shares WHERE pool = 'general'").all() as Array<{
        address: string;
        difficulty: number;
      }>;
      const allowed = new Map<string, number[]>();
      allowed.set(SHA_MINER, [shaDifficulty]);
      for (const m of ethash) allowed.set(m.user.split('.')[0]!, [...m.difficulties].map(ethashCreditedDifficulty));
      // The fixture miners know every difficulty they were given; the built-in miners' shares are checked by the split.
      const known = rows.filter((r) => allowed.has(r.address));
      expect(new Set(known.map((r) => r.address)).size).toBeGreaterThanOrEqual(2);
      for (const r of known) {
        const ok = allowed.get(r.address);
        expect(
          ok!.some((d) => Math.abs(d - r.difficulty) <= d * 1e-9),
          `${r.address} credited at ${r.difficulty}, allowed ${ok}`,
        ).toBe(true);
      }
    } finally {
      db.close();
    }
    // Amounts follow the weights, across algorithms: amount_a / amount_b = weight_a / weight_b (integer rounding aside).
    const a = shaRow!;
    const b = finder!;
    const lhs = Number(a.amount_units) * b.share_difficulty_sum;
    const rhs = Number(b.amount_units) * a.share_difficulty_sum;
    expect(Math.abs(lhs - rhs) / Math.max(lhs, rhs)).toBeLessThan(1e-6);
    expect(split.share_difficulty_unit).toMatch(/65535\/65536/);
    sha.close();
  });
});
