/** Opens the store named by the config, migrates it, registers this instance and starts the share writer. */
import type { Logger } from './log/logger.js';
import { createStore } from './store/index.js';
import { ShareWriter } from './store/share-writer.js';
import type { Store } from './store/types.js';

export interface OpenedStore {
  store: Store;
  shareWriter: ShareWriter;
  /** Unique among live instances sharing this database: the first byte of every extranonce1 handed out. */
  instanceId: number;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 10_000;

export async function openStore(url: string, instanceName: string, logger: Logger): Promise<OpenedStore> {
  const store = await createStore(url);
  await store.migrate();
  const instanceId = await store.registerInstance(instanceName);
  const heartbeat = setInterval(() => {
    store
      .heartbeatInstance(instanceId)
      .catch((err: unknown) => logger.error({ event: 'instance_heartbeat_failed', instanceId, err: String(err) }, 'instance heartbeat failed'));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const shareWriter = new ShareWriter(store, { logger: logger.child({ component: 'share-writer' }) });
  return {
    store,
    shareWriter,
    instanceId,
    close: async () => {
      clearInterval(heartbeat);
      await shareWriter.close();
      await store.releaseInstance(instanceId).catch(() => undefined);
      await store.close();
    },
  };
}
