/** Wakes long-polling getblocktemplate requests when the tip or the mempool changes. */
export class ChangeNotifier {
  private readonly waiters = new Set<() => void>();

  /**
   * Resolves at once when `since` is no longer `current()`, else on the next notify(), the timeout or the abort.
   */
  wait(since: string, current: () => string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (since !== current() || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
