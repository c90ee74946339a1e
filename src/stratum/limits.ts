/** Per-connection request rate limit and per-address connection counting: O(1) memory and time each. */

/** A token bucket: `burst` requests at once, refilled at `perSecond`. Refill is computed lazily from the clock. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token; false when the bucket is empty (the caller is flooding). */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Live connections per remote address, with a cap. */
export class AddressCounter {
  private readonly counts = new Map<string, number>();

  /** Settable: a configuration reload changes the cap for new connections (live ones are kept). */
  constructor(public maxPerAddress: number) {}

  /** Counts one more connection from `address`; false (and nothing counted) when it is at the cap. */
  tryAdd(address: string): boolean {
    const n = this.counts.get(address) ?? 0;
    if (n >= this.maxPerAddress) return false;
    this.counts.set(address, n + 1);
    return true;
  }

  remove(address: string): void {
    const n = this.counts.get(address) ?? 0;
    if (n <= 1) this.counts.delete(address);
    else this.counts.set(address, n - 1);
  }

  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }
}
