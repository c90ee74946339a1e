/**
 * Variable difficulty for one connection, as a pure state machine over a caller-supplied clock (milliseconds),
 * so it is tested with a fake clock and costs O(1) per share.
 *
 * The miner's work rate is measured over a window as the sum of the difficulties of its accepted shares per
 * second (shares on older jobs count at the difficulty they were sent with, so a change in flight does not skew
 * the estimate). The ideal difficulty makes one share every `targetShareSeconds`. A window closes after
 * `retargetSeconds` or `retargetShares` shares, whichever comes first (fast miners ramp up quickly); a window with
 * no share at all is closed by `tick` (idle decrease). Each step is capped at ×/÷ `maxStepFactor`, and estimates
 * within the tolerance band leave the difficulty alone, since share arrival is Poisson-noisy.
 */

export interface VardiffConfig {
  initial: number;
  floor: number;
  ceiling: number;
  targetShareSeconds: number;
  retargetSeconds: number;
  retargetShares: number;
  maxStepFactor: number;
  /** 0.5 leaves the difficulty unchanged while the ideal is within [current / 1.5, current × 1.5]. */
  tolerance: number;
}

export const DEFAULT_VARDIFF: VardiffConfig = {
  initial: 1,
  floor: 0.001,
  ceiling: 2 ** 40,
  targetShareSeconds: 10,
  retargetSeconds: 30,
  retargetShares: 10,
  maxStepFactor: 4,
  tolerance: 0.5,
};

/** Shortest window the rate is computed over, so a burst of shares in one tick cannot divide by ~0. */
const MIN_WINDOW_MS = 1000;

export function validateVardiffConfig(cfg: VardiffConfig): void {
  const positive = (name: keyof VardiffConfig): void => {
    const v = cfg[name];
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`vardiff ${name} must be a positive number, got ${v}`);
  };
  for (const key of Object.keys(DEFAULT_VARDIFF) as (keyof VardiffConfig)[]) positive(key);
  if (cfg.floor > cfg.ceiling) throw new RangeError(`vardiff floor ${cfg.floor} is above ceiling ${cfg.ceiling}`);
  if (cfg.maxStepFactor < 1) throw new RangeError('vardiff maxStepFactor must be at least 1');
  if (!Number.isInteger(cfg.retargetShares)) throw new RangeError('vardiff retargetShares must be an integer');
}

export function clampDifficulty(cfg: Pick<VardiffConfig, 'floor' | 'ceiling'>, difficulty: number): number {
  return Math.min(cfg.ceiling, Math.max(cfg.floor, difficulty));
}

export class Vardiff {
  private current: number;
  private windowStart: number;
  private windowShares = 0;
  private windowWork = 0;

  constructor(
    private readonly cfg: VardiffConfig,
    now: number,
    difficulty: number = cfg.initial,
  ) {
    this.current = clampDifficulty(cfg, difficulty);
    this.windowStart = now;
  }

  get difficulty(): number {
    return this.current;
  }

  /** Sets the difficulty from outside (miner suggestion, operator); clamps it and starts a new window. */
  set(difficulty: number, now: number): number {
    this.current = clampDifficulty(this.cfg, difficulty);
    this.restart(now);
    return this.current;
  }

  /**
   * Re-applies floor/ceiling after they moved (the pool caps the ceiling at the network difficulty so no
   * block-meeting hash is withheld); returns the new difficulty when the current one was outside them.
   */
  reclamp(now: number): number | null {
    const clamped = clampDifficulty(this.cfg, this.current);
    if (clamped === this.current) return null;
    return this.set(clamped, now);
  }

  /** Starts a new measurement window without changing the difficulty (e.g. when work (re)starts). */
  restart(now: number): void {
    this.windowStart = now;
    this.windowShares = 0;
    this.windowWork = 0;
  }

  /** Records an accepted share; returns the new difficulty when this share closes a window with a change. */
  recordShare(now: number, jobDifficulty: number): number | null {
    this.windowShares += 1;
    this.windowWork += jobDifficulty;
    const elapsed = now - this.windowStart;
    if (this.windowShares < this.cfg.retargetShares && elapsed < this.cfg.retargetSeconds * 1000) return null;
    return this.retarget(now, this.windowWork);
  }

  /** Called periodically: closes a window that saw no share at all (the miner went quiet or the step was too big). */
  tick(now: number): number | null {
    if (this.windowShares > 0 || now - this.windowStart < this.cfg.retargetSeconds * 1000) return null;
    // No share in the window: assume at most one at its end, an upper bound on the rate, so the step is gentle.
    return this.retarget(now, this.current);
  }

  private retarget(now: number, work: number): number | null {
    const seconds = Math.max(now - this.windowStart, MIN_WINDOW_MS) / 1000;
    this.restart(now);
    const ideal = (work / seconds) * this.cfg.targetShareSeconds;
    const ratio = ideal / this.current;
    const band = 1 + this.cfg.tolerance;
    if (ratio <= band && ratio >= 1 / band) return null;
    const step = Math.min(this.cfg.maxStepFactor, Math.max(1 / this.cfg.maxStepFactor, ratio));
    const exact = this.current * step;
    // Four significant digits read better on the wire, unless rounding would break the step bound.
    const rounded = Number(exact.toPrecision(4));
    const withinStep = rounded <= this.current * this.cfg.maxStepFactor && rounded >= this.current / this.cfg.maxStepFactor;
    const next = clampDifficulty(this.cfg, withinStep ? rounded : exact);
    if (next === this.current) return null;
    this.current = next;
    return next;
  }
}
