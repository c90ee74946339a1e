/**
 * The built-in Ethash miner against a small in-process pool (the real Stratum server with the Ethash dialects and
 * a backend that verifies with hashimoto-light), in each dialect: a share it finds verifies, and the same share
 * with one bit flipped in the header hash, the nonce or the mix digest does not.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMinerCommand } from '../../src/commands.js';
import { boundaryFromDifficulty, EthashVerdict, verifyEthashLight } from '../../src/core/ethash/index.js';
import { runEthashMinerCli } from '../../src/miner/cli.js';
import { startEthashMiner } from '../../src/miner/ethash-miner.js';
import type { EthashClientDialect } from '../../src/miner/ethash-dialects.js';
import type { EthashShareEvent } from '../../src/miner/types.js';
import { ADDRESS, epochOneCache, SHARE_JOB, startEthashServer } from '../stratum/dialects/ethash-fixture.js';
import { Harness } from '../stratum/helpers/harness.js';

const h = new Harness();
beforeAll(() => {
  epochOneCache();
}, 180_000);
afterAll(() => h.closeAll());

/** About 16 light hashes per share: a CPU thread finds one within seconds even on a loaded machine. */
const DIFFICULTY = 16 / 2 ** 32;

function flipBit(bytes: Buffer, bit: number): Buffer {
  const out = Buffer.from(bytes);
  out[bit >> 3] = (out[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return out;
}

describe.each<EthashClientDialect>(['ethstratum', 'ethproxy', 'stratum'])('built-in Ethash miner (%s)', (dialect) => {
  it('finds shares the pool accepts; one flipped bit in header, nonce or mix fails verification', async () => {
    const { port, ethashBackend } = await startEthashServer(h, ['sha256d', 'ethash'], DIFFICULTY);
    const miner = startEthashMiner({ url: `stratum+tcp://127.0.0.1:${port}`, user: `${ADDRESS}.w1`, dialect, reconnectDelayMs: 200 });
    const errors: string[] = [];
    miner.on('error', (err) => errors.push(err.message));
    try {
      const accepted = await new Promise<EthashShareEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no accepted share within 150 s; errors: ${errors.join(' | ')}`)), 150_000);
        miner.on('accepted', (share) => {
          clearTimeout(timer);
          resolve(share);
        });
        miner.on('rejected', (share) => errors.push(`rejected: ${share.reason}`));
      });
      expect(accepted.headerHash).toBe(SHARE_JOB.headerHash);
      const stored = ethashBackend.shares.find((s) => s.verdict.ok && s.req.nonce === BigInt(`0x${accepted.nonce}`));
      expect(stored?.ctx).toMatchObject({ address: ADDRESS, worker: 'w1' });

      const solution = {
        headerHash: Buffer.from(accepted.headerHash, 'hex'),
        nonce: BigInt(`0x${accepted.nonce}`),
        mixDigest: Buffer.from(accepted.mixDigest, 'hex'),
      };
      const boundary = boundaryFromDifficulty(accepted.difficulty);
      const cache = epochOneCache();
      expect(verifyEthashLight(cache, solution, boundary)).toBe(EthashVerdict.SUCCESS);
      for (const bit of [0, 77, 255]) {
        expect(verifyEthashLight(cache, { ...solution, headerHash: flipBit(solution.headerHash, bit) }, boundary)).not.toBe(EthashVerdict.SUCCESS);
        expect(verifyEthashLight(cache, { ...solution, mixDigest: flipBit(solution.mixDigest, bit) }, boundary)).not.toBe(EthashVerdict.SUCCESS);
      }
      for (const bit of [0n, 31n, 63n]) {
        expect(verifyEthashLight(cache, { ...solution, nonce: solution.nonce ^ (1n << bit) }, boundary)).not.toBe(EthashVerdict.SUCCESS);
      }
      expect(miner.stats().accepted).toBeGreaterThanOrEqual(1);
      expect(miner.stats().hashes).toBeGreaterThan(0);
    } finally {
      await miner.stop();
    }
  }, 240_000);
});

describe('gxc-pool miner --algo ethash', () => {
  it('logs accepted shares and a hash-rate line like the SHA-256d miner', async () => {
    const { port } = await startEthashServer(h, ['ethash'], DIFFICULTY);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const handle = runEthashMinerCli({
      url: `stratum+tcp://127.0.0.1:${port}`,
      user: `${ADDRESS}.cli`,
      dialect: 'stratum',
      statsIntervalMs: 500,
      logger,
    });
    try {
      const deadline = Date.now() + 150_000;
      while (!(lines.some((l) => l.includes('accepted share #1')) && lines.some((l) => /hashrate \d+\.\d\d k?H\/s/.test(l)))) {
        if (Date.now() > deadline) throw new Error(`no accepted-share and hashrate lines in 150 s: ${lines.slice(-5).join('')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(handle.stats().accepted).toBeGreaterThanOrEqual(1);
    } finally {
      await handle.stop();
    }
  }, 240_000);

  it('refuses an unknown algorithm or dialect precisely', async () => {
    const base = { url: 'stratum+tcp://127.0.0.1:1', user: `${ADDRESS}.w`, password: 'x', threads: '1' };
    await expect(runMinerCommand({ ...base, algo: 'scrypt' })).rejects.toThrow('--algo: expected sha256d or ethash, got "scrypt"');
    await expect(runMinerCommand({ ...base, algo: 'ethash', dialect: 'getwork' })).rejects.toThrow(
      '--dialect: expected ethstratum, ethproxy, stratum, got "getwork"',
    );
    await expect(runMinerCommand({ ...base, dialect: 'ethproxy' })).rejects.toThrow('--dialect applies to --algo ethash only');
  });
});
