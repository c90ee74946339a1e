/** Opens the store named by the config, migrates it, registers this instance and starts the share writer. */
import type { Logger } from './log/logger.js';
import { createStore, sqliteFileOf } from './store/index.js';
import { ShareWriter } from './store/share-writer.js';
import { SpoolJournal } from './store/spool/journal.js';
import { ShareSpool } from './store/spool/spool.js';
import { SqliteQueryThread } from './store/sqlite/query-thread.js';
import { SqliteShareThread } from './store/sqlite/share-thread.js';
import type { Store } from './store/types.js';

export interface OpenedStore {
  store: Store;
  shareWriter: ShareWriter;
  /** The PostgreSQL spool (journal of acknowledged shares the database could not take yet), or null. */
  spool: ShareSpool | null;
  /** Whether shares are inserted by the SQLite writer thread (false: on this thread's store connection). */
  sharesOnThread: boolean;
  /** Unique among live instances sharing this database: the first byte of every extranonce1 handed out. */
  instanceId: number;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /**
   * The spool journal's path (one per data directory: instances sharing a database need their own data
   * directories). Used only when the store can take a spool (PostgreSQL).
   */
  spoolFile?: string;
  /**
   * SQLite: insert shares from a worker thread with its own connection, so group commits never block the event
   * loop, and run the reads over many shares (window aggregates, PPLNS pages, chart rollups) on another
   * (default true). Ignored for PostgreSQL (its driver is
   * asynchronous) and for `:memory:`.
   */
  sqliteWriterThread?: boolean;
}

const HEARTBEAT_MS = 10_000;

export async function openStore(url: string, instanceName: string, logger: Logger, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const ownStore = await createStore(url);
  const sqliteFile = sqliteFileOf(url);
  const threaded = (options.sqliteWriterThread ?? true) && sqliteFile !== null && sqliteFile !== ':memory:';
  const queryThread = threaded ? new SqliteQueryThread(sqliteFile, logger.child({ component: 'store' })) : null;
  const store = queryThread === null ? ownStore : queryThread.wrap(ownStore);
  await store.migrate();
  const spool = await openSpool(store, options.spoolFile, logger);
  const instanceId = await store.registerInstance(instanceName);
  const heartbeat = setInterval(() => {
    store
      .heartbeatInstance(instanceId)
      .catch((err: unknown) => logger.error({ event: 'instance_heartbeat_failed', instanceId, err: String(err) }, 'instance heartbeat failed'));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const writerLog = logger.child({ component: 'share-writer' });
  const shareThread = threaded ? SqliteShareThread.start(sqliteFile, { logger: writerLog }) : null;
  // Shares go to the thread when there is one; block rows (rare, ordered with reads on main) always to the store.
  const writerStore =
    shareThread === null ? store : { insertShares: shareThread.insertShares.bind(shareThread), insertBlock: store.insertBlock.bind(store) };
  const shareWriter = new ShareWriter(writerStore, { logger: writerLog, spool: spool ?? undefined });
  return {
    store,
    shareWriter,
    spool,
    sharesOnThread: shareThread !== null,
    instanceId,
    close: async () => {
      clearInterval(heartbeat);
      await shareWriter.close();
      // Whatever could not be replayed stays in the journal for the next start.
      if (spool !== null) await spool.replayAll().catch(() => false);
      await spool?.close();
      await shareThread?.close();
      await queryThread?.close();
      await store.releaseInstance(instanceId).catch(() => undefined);
      await store.close();
    },
  };
}

/** Opens the journal and replays what a previous run left in it before any share is written directly. */
async function openSpool(store: Store, file: string | undefined, logger: Logger): Promise<ShareSpool | null> {
  const target = store.spoolTarget?.() ?? null;
  if (target === null || file === undefined) return null;
  const log = logger.child({ component: 'spool' });
  const { journal, records, tornBytes } = await SpoolJournal.open(file);
  if (tornBytes > 0)
    log.warn({ event: 'spool_torn_tail', journal: file, bytes: tornBytes }, 'journal ended in a torn write (never acknowledged): cut off');
  const spool = new ShareSpool(journal, target, records, log);
  if (records.length > 0) {
    log.info(
      { event: 'spool_found', journal: file, records: records.length },
      `journal holds ${records.length} records from a previous run: replaying`,
    );
    // If the database refuses now, the spool stays active and its replayer keeps trying; new shares follow the
    // old ones into the journal meanwhile.
    if (!(await spool.replayAll())) spool.startReplayer();
  }
  return spool;
}
