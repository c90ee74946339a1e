/**
 * Extranonce1 for a pool whose sessions live in several processes: instance byte ‖ 3-byte counter, where the top
 * bits of the counter name the process (slice 0 = the primary's in-process servers, slice i = socket worker i).
 * Each process allocates only inside its slice, so no two live sessions of the instance share a value without any
 * message between processes.
 */
import { InstanceCounterAllocator } from '../extranonce.js';
import type { Extranonce1Allocator } from '../types.js';

/** Slices of the 2^24 counter space: 64, i.e. up to 63 workers of 262,144 live sessions each. */
export const EXTRANONCE_SLICES = 64;
const SLICE_SPACE = (1 << 24) / EXTRANONCE_SLICES;
const COUNTER_BYTES = 3;

export class SlicedExtranonce1Allocator implements Extranonce1Allocator {
  readonly size: number;
  private readonly inner: InstanceCounterAllocator;
  private readonly offset: number;

  constructor(instanceId: number, slice: number, start = Math.floor(Math.random() * SLICE_SPACE)) {
    if (!Number.isInteger(slice) || slice < 0 || slice >= EXTRANONCE_SLICES) {
      throw new RangeError(`extranonce slice must be an integer 0..${EXTRANONCE_SLICES - 1}, got ${slice}`);
    }
    this.inner = new InstanceCounterAllocator(instanceId, COUNTER_BYTES, SLICE_SPACE, start);
    this.offset = slice * SLICE_SPACE;
    this.size = this.inner.size;
  }

  allocate(): Buffer | null {
    const value = this.inner.allocate();
    if (value === null) return null;
    value.writeUIntBE(value.readUIntBE(1, COUNTER_BYTES) + this.offset, 1, COUNTER_BYTES);
    return value;
  }

  release(extranonce1: Buffer): void {
    if (extranonce1.length !== this.size) return;
    const counter = extranonce1.readUIntBE(1, COUNTER_BYTES) - this.offset;
    // A value from another slice is not ours to free.
    if (counter < 0 || counter >= SLICE_SPACE) return;
    const local = Buffer.from(extranonce1);
    local.writeUIntBE(counter, 1, COUNTER_BYTES);
    this.inner.release(local);
  }
}
