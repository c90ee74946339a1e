/**
 * Extranonce1 = 1 byte pool-instance id ‖ 3-byte counter (big-endian). The instance byte keeps several pool
 * instances that share one database out of each other's search space; the counter keeps live sessions of one
 * instance apart. Values come round-robin, so a released value is reused only after the counter wraps, which
 * keeps a reconnecting miner from landing on the value another miner just left.
 */
import type { Extranonce1Allocator } from './types.js';

export const EXTRANONCE1_SIZE = 4;
const COUNTER_SPACE = 1 << 24;

export class CounterExtranonce1Allocator implements Extranonce1Allocator {
  readonly size = EXTRANONCE1_SIZE;
  private readonly live = new Set<number>();
  private next: number;

  /**
   * @param instanceId 0..255, distinct per pool instance.
   * @param counterSpace how many counter values to cycle through (default 2^24; smaller only for tests).
   * @param start first counter value (a random start spreads values after a restart).
   */
  constructor(
    readonly instanceId: number,
    private readonly counterSpace: number = COUNTER_SPACE,
    start = 0,
  ) {
    if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId > 255) {
      throw new RangeError(`extranonce instance id must be an integer 0..255, got ${instanceId}`);
    }
    if (!Number.isInteger(counterSpace) || counterSpace < 1 || counterSpace > COUNTER_SPACE) {
      throw new RangeError(`extranonce counter space must be 1..${COUNTER_SPACE}, got ${counterSpace}`);
    }
    this.next = ((start % counterSpace) + counterSpace) % counterSpace;
  }

  /** Number of values currently held by live sessions. */
  get liveCount(): number {
    return this.live.size;
  }

  allocate(): Buffer | null {
    if (this.live.size >= this.counterSpace) return null;
    // Bounded: at most `live.size` values are skipped before a free one is found.
    while (this.live.has(this.next)) this.next = (this.next + 1) % this.counterSpace;
    const counter = this.next;
    this.next = (this.next + 1) % this.counterSpace;
    this.live.add(counter);
    const buf = Buffer.alloc(EXTRANONCE1_SIZE);
    buf.writeUInt32BE(((this.instanceId << 24) | counter) >>> 0);
    return buf;
  }

  release(extranonce1: Buffer): void {
    if (extranonce1.length !== EXTRANONCE1_SIZE || extranonce1[0] !== this.instanceId) return;
    this.live.delete(extranonce1.readUInt32BE(0) & 0xffffff);
  }
}

/** The allocator for pool instance `instanceId`, starting at a random counter so restarts spread their values. */
export function createExtranonce1Allocator(instanceId: number): CounterExtranonce1Allocator {
  return new CounterExtranonce1Allocator(instanceId, COUNTER_SPACE, Math.floor(Math.random() * COUNTER_SPACE));
}
