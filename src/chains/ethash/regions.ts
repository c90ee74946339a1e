/**
 * Regions of the verifier's one shared WebAssembly memory: light caches, full datasets and per-thread scratch all
 * live there, so every thread (and the WebAssembly kernels) reads the same bytes without copies. First fit over a
 * free list, neighbours merged on free; the memory grows (never shrinks) when no free block fits.
 */
const PAGE_BYTES = 65536;
/** 4 GiB: the most a 32-bit WebAssembly memory can address. */
export const MAX_MEMORY_PAGES = 65536;
const ALIGN = 64;

export class SharedRegions {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_MEMORY_PAGES, shared: true });
  private readonly free: Array<{ offset: number; size: number }> = [];
  /** Offset 0..ALIGN stays unused: offset 0 means "no dataset" to the kernels. */
  private end = ALIGN;

  /** Bytes currently reserved by the memory (its size). */
  get reservedBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Whether `bytes` more could be allocated without exceeding the 4 GiB limit. */
  fits(bytes: number): boolean {
    const size = align(bytes);
    return this.free.some((b) => b.size >= size) || this.end + size <= MAX_MEMORY_PAGES * PAGE_BYTES;
  }

  /** Offset of a new region, or null when the memory cannot hold it. A reused region holds old bytes: clear what must start at zero. */
  allocate(bytes: number): number | null {
    const size = align(bytes);
    const index = this.free.findIndex((b) => b.size >= size);
    if (index >= 0) {
      const block = this.free[index]!;
      const offset = block.offset;
      if (block.size === size) this.free.splice(index, 1);
      else this.free[index] = { offset: offset + size, size: block.size - size };
      return offset;
    }
    if (this.end + size > MAX_MEMORY_PAGES * PAGE_BYTES) return null;
    const needed = Math.ceil((this.end + size) / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (needed > 0) this.memory.grow(needed);
    const offset = this.end;
    this.end += size;
    return offset;
  }

  release(offset: number, bytes: number): void {
    this.free.push({ offset, size: align(bytes) });
    this.free.sort((a, b) => a.offset - b.offset);
    for (let i = this.free.length - 1; i > 0; i--) {
      const before = this.free[i - 1]!;
      const block = this.free[i]!;
      if (before.offset + before.size === block.offset) {
        before.size += block.size;
        this.free.splice(i, 1);
      }
    }
    // A free block at the end goes back to the bump pointer.
    const last = this.free.at(-1);
    if (last && last.offset + last.size === this.end) {
      this.end = last.offset;
      this.free.pop();
    }
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}
