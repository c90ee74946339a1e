import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EthashWork } from '../../src/chains/types.js';
import { DIFF1_TARGET, difficultyToTarget } from '../../src/core/target.js';
import { difficultyToWeight } from '../../src/ledger/schemes/weight.js';
import { ethashCreditedDifficulty, ethashShareBoundary, ethashSubmitProblem, judgeEthashShare } from '../../src/pool/ethash-share.js';
import type { EthashSubmitRequest } from '../../src/stratum/types.js';

const vectors = JSON.parse(fs.readFileSync(new URL('../../../shared/testdata/ethash-vectors.json', import.meta.url), 'utf8')) as {
  difficulty_to_boundary: Array<{ difficulty: string; boundary: string }>;
};

/** Expected hashes of a target, in weight units (2^32 × DIFF1 / target = (65535/65536) × 2^256 / target). */
const exactWeight = (target: bigint): bigint => ((1n << 32n) * DIFF1_TARGET) / target;

describe('Ethash share boundary (difficulty 1 = 2^32 hashes)', () => {
  it('matches the reference library for raw difficulties that are whole multiples of 2^32', () => {
    const whole = vectors.difficulty_to_boundary.filter((v) => BigInt(v.difficulty) % (1n << 32n) === 0n);
    expect(whole.length).toBeGreaterThanOrEqual(2);
    for (const v of whole) {
      const poolDifficulty = Number(BigInt(v.difficulty) >> 32n);
      expect(ethashShareBoundary(poolDifficulty).toString(16).padStart(64, '0')).toBe(v.boundary);
    }
  });

  it('takes devnet-sized difficulties down to 1e-9 exactly as written', () => {
    expect(ethashShareBoundary(1e-9)).toBe(((1n << 224n) * 10n ** 9n) / 1n);
    expect(ethashShareBoundary(0.5)).toBe(1n << 225n);
  });
});

describe('one crediting unit for SHA-256d and Ethash shares', () => {
  it('weights every share by the expected hashes of its target, whatever the algorithm', () => {
    for (const d of [1e-9, 2.5e-7, 0.001, 1, 3, 1024, 65536]) {
      const ethash = difficultyToWeight(ethashCreditedDifficulty(d));
      const expected = exactWeight(ethashShareBoundary(d));
      // Equal up to the ledger's final rounding to a whole weight unit.
      expect(ethash - expected).toBeGreaterThanOrEqual(-1n);
      expect(ethash - expected).toBeLessThanOrEqual(1n);
      const sha = difficultyToWeight(d);
      const shaExpected = exactWeight(difficultyToTarget(d));
      expect(sha - shaExpected).toBeGreaterThanOrEqual(-1n);
      expect(sha - shaExpected).toBeLessThanOrEqual(1n);
    }
    // An Ethash share at difficulty D costs D·2^32 hashes; a SHA-256d share at D costs D·2^32·65536/65535.
    expect(ethashCreditedDifficulty(1)).toBeCloseTo(65535 / 65536, 14);
  });
});

describe('judging an Ethash share', () => {
  const work: EthashWork = {
    height: 5,
    prevHashDisplay: 'aa'.repeat(32),
    headerHash: 'bb'.repeat(32),
    networkTarget: (1n << 200n) - 1n,
    timestamp: 1,
    reward: 1n,
    txCount: 1,
    templateKey: 'k',
  };
  const req = (over: Partial<EthashSubmitRequest> = {}): EthashSubmitRequest => ({
    workerName: 'a.w',
    jobId: '1',
    headerHash: work.headerHash,
    nonce: 7n,
    mixDigest: 'cc'.repeat(32),
    ...over,
  });

  it('refuses malformed submits before hashing', () => {
    expect(ethashSubmitProblem(req())).toBeNull();
    expect(ethashSubmitProblem(req({ nonce: 1n << 64n }))).toMatch(/64-bit/);
    expect(ethashSubmitProblem(req({ nonce: -1n }))).toMatch(/64-bit/);
    expect(ethashSubmitProblem(req({ mixDigest: 'xyz' }))).toMatch(/mix digest/);
    expect(ethashSubmitProblem(req({ headerHash: '0x12' }))).toMatch(/header hash/);
    expect(ethashSubmitProblem(req({ mixDigest: `0x${'CC'.repeat(32)}` }))).toBeNull();
  });

  it('checks the mix digest, the share boundary (equality passes) and the network target', () => {
    const boundary = ethashShareBoundary(1);
    const at = (value: bigint, mix = 'cc'.repeat(32)) => ({ mixDigest: mix, finalHash: value.toString(16).padStart(64, '0') });
    const wrongMix = judgeEthashShare({ work, req: req(), computed: at(1n, 'dd'.repeat(32)), jobDifficulty: 1 });
    expect(wrongMix).toMatchObject({ ok: false, code: 20 });
    expect(judgeEthashShare({ work, req: req(), computed: at(boundary), jobDifficulty: 1 })).toMatchObject({
      ok: true,
      meetsShareTarget: true,
      isBlock: false,
    });
    expect(judgeEthashShare({ work, req: req(), computed: at(boundary + 1n), jobDifficulty: 1 })).toMatchObject({
      ok: true,
      meetsShareTarget: false,
    });
    expect(judgeEthashShare({ work, req: req(), computed: at(work.networkTarget), jobDifficulty: 1 })).toMatchObject({ ok: true, isBlock: true });
    // No mix sent (EthereumStratum): the pool's own mix is used.
    expect(judgeEthashShare({ work, req: req({ mixDigest: null }), computed: at(1n, 'dd'.repeat(32)), jobDifficulty: 1 })).toMatchObject({
      ok: true,
    });
  });
});
