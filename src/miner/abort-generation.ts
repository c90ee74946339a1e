/**
 * The counter both hashing-thread pools share with their threads: a batch records the generation it started in and
 * stops within a few hashes once the counter moves on (new work, disconnect, stop), without a message round trip.
 */
export class AbortGeneration {
  /** Passed to the threads as workerData.abort; they read index 0 with Atomics.load. */
  readonly flag = new Int32Array(new SharedArrayBuffer(4));

  current(): number {
    return Atomics.load(this.flag, 0);
  }

  /** Makes every batch started before now stop early. */
  bump(): void {
    Atomics.add(this.flag, 0, 1);
  }
}
