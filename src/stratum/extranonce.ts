/**
 * Extranonce1 = 1 byte pool-instance id ‖ 3-byte counter (big-endian). The instance byte keeps several pool
 * instances that share one database out of each other's search space; the counter keeps live sessions of one
 * instance apart. Values come round-robin, so a released value is reused only after the counter wraps, which
 * keeps a reconnecting miner from landing on the value another miner just left.
 */
import type { Extranonce1Allocator } from './types.js';

export const EXTRANONCE1_SIZE = 4;
const COUNTER_SPACE = 1 << 24;

/**
 * Instance byte ‖ big-endian counter of `counterBytes`, handed out round-robin among live holders. SV1's
 * extranonce1 (3-byte counter) and EthereumStratum's nonce prefix (2-byte counter) are both this.
 */
export class InstanceCounterAllocator implements Extranonce1Allocator {
  readonly size: number;
  private readonly live = new Set<number>();
  private next: number;

  /**
   * @param instanceId 0..255, distinct per pool instance.
   * @param counterBytes bytes of counter after the instance byte.
   * @param counterSpace how many counter values to cycle through (at most 2^(8·counterBytes); smaller for tests).
   * @param start first counter value (a random start spreads values after a restart).
   */
  constructor(
    readonly instanceId: number,
    private readonly counterBytes: number,
    private readonly counterSpace: number,
    start: number,
  ) {
    const maxSpace = 2 ** (8 * counterBytes);
    if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId > 255) {
      throw new RangeError(`extranonce instance id must be an integer 0..255, got ${instanceId}`);
    }
    if (!Number.isInteger(counterSpace) || counterSpace < 1 || counterSpace > maxSpace) {
      throw new RangeError(`extranonce counter space must be 1..${maxSpace}, got ${counterSpace}`);
    }
    this.size = 1 + counterBytes;
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
    // From Node's shared pool (a view, not an ArrayBuffer of its own): every live session holds one of these.
    const buf = Buffer.allocUnsafe(this.size);
    buf[0] = this.instanceId;
    buf.writeUIntBE(counter, 1, this.counterBytes);
    return buf;
  }

  release(value: Buffer): void {
    if (value.length !== this.size || value[0] !== this.instanceId) return;
    this.live.delete(value.readUIntBE(1, this.counterBytes));
  }
}

/** SV1 extranonce1: instance byte ‖ 3-byte counter. */
export class CounterExtranonce1Allocator extends InstanceCounterAllocator {
  constructor(instanceId: number, counterSpace: number = COUNTER_SPACE, start = 0) {
    super(instanceId, 3, counterSpace, start);
  }
}

/** The allocator for pool instance `instanceId`, starting at a random counter so restarts spread their values. */
export function createExtranonce1Allocator(instanceId: number): CounterExtranonce1Allocator {
  return new CounterExtranonce1Allocator(instanceId, COUNTER_SPACE, Math.floor(Math.random() * COUNTER_SPACE));
}
