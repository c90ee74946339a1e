/** Opens the store named by the config, migrates it, registers this instance and starts the share writer. */
import type { Logger } from './log/logger.js';
import { createStore, sqliteFileOf } from './store/index.js';
import { ShareWriter } from './store/share-writer.js';
import { SqliteShareThread } from './store/sqlite/share-thread.js';
import type { Store } from './store/types.js';

export interface OpenedStore {
  store: Store;
  shareWriter: ShareWriter;
  /** Whether shares are inserted by the SQLite writer thread (false: on this thread's store connection). */
  sharesOnThread: boolean;
  /** Unique among live instances sharing this database: the first byte of every extranonce1 handed out. */
  instanceId: number;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /**
   * SQLite: insert shares from a worker thread with its own connection, so group commits never block the event
   * loop (default true). Ignored for PostgreSQL (its driver is asynchronous) and for `:memory:`.
   */
  sqliteWriterThread?: boolean;
}

const HEARTBEAT_MS = 10_000;

export async function openStore(url: string, instanceName: string, logger: Logger, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const store = await createStore(url);
  await store.migrate();
  const instanceId = await store.registerInstance(instanceName);
  const heartbeat = setInterval(() => {
    store
      .heartbeatInstance(instanceId)
      .catch((err: unknown) => logger.error({ event: 'instance_heartbeat_failed', instanceId, err: String(err) }, 'instance heartbeat failed'));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const writerLog = logger.child({ component: 'share-writer' });
  const sqliteFile = sqliteFileOf(url);
  const shareThread =
    (options.sqliteWriterThread ?? true) && sqliteFile !== null && sqliteFile !== ':memory:'
      ? SqliteShareThread.start(sqliteFile, { logger: writerLog })
      : null;
  const shareWriter = new ShareWriter(shareThread ?? store, { logger: writerLog });
  return {
    store,
    shareWriter,
    sharesOnThread: shareThread !== null,
    instanceId,
    close: async () => {
      clearInterval(heartbeat);
      await shareWriter.close();
      await shareThread?.close();
      await store.releaseInstance(instanceId).catch(() => undefined);
      await store.close();
    },
  };
}
