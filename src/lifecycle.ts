/**
 * The running pool's signals. SIGTERM/SIGINT: a graceful shutdown (see PoolProcess.shutdown) bounded in time —
 * exit 0 when it completed, exit 1 if it overran its bound (`stratum.shutdown.drainSeconds` + 20 s for flushing
 * shares and closing the store and node). SIGHUP: re-read the configuration from the same sources as at start; a bad
 * one is refused with the start's own message (on stderr and as a log line) and the running one is kept.
 */
import type { PoolProcess } from './app.js';
import { ConfigError } from './config/load.js';
import type { Config } from './config/schema.js';

/** Time beyond the drain for the share writer flush, the ledgers' last tick and the store and node to close. */
const CLOSE_BOUND_MS = 20_000;

export function installSignalHandlers(app: PoolProcess, loadNext: () => Config, exit: (code: number) => void = process.exit): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      app.logger.warn({ event: 'shutdown', signal }, `received ${signal} again: shutdown already in progress`);
      return;
    }
    stopping = true;
    const boundMs = app.config().stratum.shutdown.drainSeconds * 1000 + CLOSE_BOUND_MS;
    app.logger.info({ event: 'shutdown', signal, boundMs }, `received ${signal}, shutting down (within ${Math.round(boundMs / 1000)} s)`);
    const overrun = setTimeout(() => {
      app.logger.error({ event: 'shutdown_overrun', boundMs }, 'shutdown did not finish in time: exiting');
      exit(1);
    }, boundMs);
    app.shutdown().then(
      () => {
        clearTimeout(overrun);
        exit(0);
      },
      (err: unknown) => {
        app.logger.error({ event: 'shutdown_failed', err }, 'shutdown failed');
        exit(1);
      },
    );
  };

  let reloading: Promise<void> = Promise.resolve();
  const reload = (): void => {
    if (stopping) return;
    // Serialised: two quick SIGHUPs apply in order, the second one against the first one's result.
    reloading = reloading.then(async () => {
      let next: Config;
      try {
        next = loadNext();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof ConfigError) process.stderr.write(`gxc-pool: invalid configuration:\n${message}\n`);
        app.logger.error({ event: 'reload_refused', reason: message }, `configuration reload refused, the running one is kept: ${message}`);
        return;
      }
      try {
        await app.reload(next);
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`gxc-pool: invalid configuration:\n${err.message}\n`);
          app.logger.error({ event: 'reload_refused', reason: err.message }, `configuration reload refused, the running one is kept: ${err.message}`);
        } else {
          app.logger.error({ event: 'reload_failed', err }, 'configuration reload failed');
        }
      }
    });
  };

  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', reload);
}
