/** Per-address connection counting: O(1) memory and time. (The junk token bucket is two numbers on the connection.) */

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
