import { describe, expect, it } from 'vitest';
import { DEFAULT_VARDIFF, Vardiff, validateVardiffConfig, type VardiffConfig } from '../../src/stratum/vardiff.js';

const cfg = (over: Partial<VardiffConfig> = {}): VardiffConfig => ({
  ...DEFAULT_VARDIFF,
  initial: 16,
  floor: 1,
  ceiling: 1024,
  targetShareSeconds: 10,
  retargetSeconds: 30,
  retargetShares: 10,
  ...over,
});

/** Feeds shares every `everyMs` from t0 and returns the difficulty changes seen. */
function feed(v: Vardiff, t0: number, count: number, everyMs: number): { changes: number[]; end: number } {
  const changes: number[] = [];
  let t = t0;
  for (let i = 0; i < count; i++) {
    t += everyMs;
    const next = v.recordShare(t, v.difficulty);
    if (next !== null) changes.push(next);
  }
  return { changes, end: t };
}

describe('Vardiff', () => {
  it('starts at the initial difficulty clamped to floor/ceiling', () => {
    expect(new Vardiff(cfg(), 0).difficulty).toBe(16);
    expect(new Vardiff(cfg({ initial: 0.01 }), 0).difficulty).toBe(1);
    expect(new Vardiff(cfg(), 0, 5000).difficulty).toBe(1024);
  });

  it('raises a fast miner after N shares, by at most ×4 per step', () => {
    const v = new Vardiff(cfg(), 0);
    // 10 shares in 1 s at diff 16: ideal is 1600, the step is capped at ×4.
    const { changes } = feed(v, 0, 10, 100);
    expect(changes).toEqual([64]);
  });

  it('converges to one share per target interval for a steady miner', () => {
    const v = new Vardiff(cfg({ initial: 1, ceiling: 1e6 }), 0);
    // Hashrate worth 100 difficulty-units per second: the ideal difficulty is 1000.
    let t = 0;
    for (let i = 0; i < 400; i++) {
      t += (v.difficulty / 100) * 1000;
      v.recordShare(t, v.difficulty);
    }
    expect(v.difficulty).toBeGreaterThan(1000 / 1.5);
    expect(v.difficulty).toBeLessThan(1000 * 1.5);
  });

  it('leaves the difficulty alone inside the tolerance band', () => {
    const v = new Vardiff(cfg(), 0);
    // One share per 12 s for 36 s: ideal 16 × 10/12 ≈ 13.3, within the band.
    const { changes } = feed(v, 0, 3, 12_000);
    expect(changes).toEqual([]);
    expect(v.difficulty).toBe(16);
  });

  it('lowers a slow miner when its window closes', () => {
    const v = new Vardiff(cfg(), 0);
    // One share in 40 s: ideal 16 × 10/40 = 4.
    expect(v.recordShare(40_000, 16)).toBe(4);
  });

  it('decreases an idle miner on tick, step by step, never below the floor', () => {
    const v = new Vardiff(cfg(), 0);
    expect(v.tick(29_999)).toBeNull();
    // No share in 60 s: assume at most one, ideal 16 × 10/60 ≈ 2.67, but one step goes at most ÷4.
    expect(v.tick(60_000)).toBe(4);
    expect(v.tick(120_000)).toBe(1);
    expect(v.tick(180_000)).toBeNull();
    expect(v.difficulty).toBe(1);
  });

  it('caps each decrease at ÷4', () => {
    const v = new Vardiff(cfg({ initial: 1024 }), 0);
    expect(v.tick(600_000)).toBe(256);
  });

  it('does not tick down while shares are arriving in the window', () => {
    const v = new Vardiff(cfg(), 0);
    v.recordShare(5_000, 16);
    expect(v.tick(31_000)).toBeNull();
  });

  it('stops at the ceiling', () => {
    const v = new Vardiff(cfg({ initial: 512 }), 0);
    const { changes } = feed(v, 0, 30, 10);
    expect(changes).toEqual([1024]);
    expect(v.difficulty).toBe(1024);
  });

  it('measures work by job difficulty, so shares on older jobs after a change do not skew it', () => {
    const v = new Vardiff(cfg({ initial: 64 }), 0);
    // Ten shares of difficulty-16 work (old job) in 17 s: ≈9.4 units/s → ideal ≈94, within the band around 64.
    // Counted at the current 64 instead, the ideal would be ≈376 and the difficulty would jump.
    let t = 0;
    let change: number | null = null;
    for (let i = 0; i < 10; i++) {
      t += 1700;
      change = v.recordShare(t, 16);
    }
    expect(change).toBeNull();
    expect(v.difficulty).toBe(64);
  });

  it('set() clamps and restarts the window', () => {
    const v = new Vardiff(cfg(), 0);
    expect(v.set(0.0001, 1000)).toBe(1);
    expect(v.set(1e9, 2000)).toBe(1024);
    expect(v.tick(31_000)).toBeNull();
    expect(v.tick(32_000)).not.toBeNull();
  });

  it('rejects nonsensical configuration', () => {
    expect(() => validateVardiffConfig(cfg({ floor: 10, ceiling: 1 }))).toThrow(/floor/);
    expect(() => validateVardiffConfig(cfg({ targetShareSeconds: 0 }))).toThrow(/targetShareSeconds/);
    expect(() => validateVardiffConfig(cfg({ retargetShares: 2.5 }))).toThrow(/retargetShares/);
  });

  it('reclamp() follows moved bounds', () => {
    const shared = cfg();
    const v = new Vardiff(shared, 0);
    expect(v.reclamp(0)).toBeNull();
    shared.ceiling = 4;
    expect(v.reclamp(10)).toBe(4);
    expect(v.difficulty).toBe(4);
  });
});
