/**
 * The built-in Ethash miner against a small in-process pool (the real Stratum server with the Ethash dialects and
 * a backend that verifies with hashimoto-light), in each dialect: a share it finds verifies, and the same share
 * with one bit flipped in the header hash, the nonce or the mix digest does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryFromDifficulty, EthashVerdict, verifyEthashLight } from '../../src/core/ethash/index.js';
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
