/**
 * EthereumStratum/1.0.0 extranonce: the leading bytes of each connection's 8-byte Ethash nonce, fixed by the pool
 * so no two connections search the same nonces of one header. 3 bytes = 1-byte pool-instance id ‖ 16-bit counter
 * (big-endian), leaving the miner 5 bytes (2^40 nonces per job: about 3 hours for a 100 MH/s rig before a new
 * job must come). 65,536 live EthereumStratum connections per instance; the instance byte keeps pool instances
 * that share one database apart, as the SV1 allocator's does. Values come round-robin so a released value is
 * reused only after the counter wraps.
 */
import type { Extranonce1Allocator } from '../types.js';

export const ETHASH_EXTRANONCE_SIZE = 3;
const COUNTER_SPACE = 1 << 16;

export class EthashExtranonceAllocator implements Extranonce1Allocator {
  readonly size = ETHASH_EXTRANONCE_SIZE;
  private readonly live = new Set<number>();
  private next: number;

  constructor(
    readonly instanceId: number,
    private readonly counterSpace: number = COUNTER_SPACE,
    start = Math.floor(Math.random() * COUNTER_SPACE),
  ) {
    if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId > 255) {
      throw new RangeError(`extranonce instance id must be an integer 0..255, got ${instanceId}`);
    }
    if (!Number.isInteger(counterSpace) || counterSpace < 1 || counterSpace > COUNTER_SPACE) {
      throw new RangeError(`extranonce counter space must be 1..${COUNTER_SPACE}, got ${counterSpace}`);
    }
    this.next = ((start % counterSpace) + counterSpace) % counterSpace;
  }

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
    return Buffer.from([this.instanceId, counter >> 8, counter & 0xff]);
  }

  release(extranonce: Buffer): void {
    if (extranonce.length !== ETHASH_EXTRANONCE_SIZE || extranonce[0] !== this.instanceId) return;
    this.live.delete(extranonce.readUInt16BE(1));
  }
}
