/**
 * The pool process: one node (or the embedded devnet), one store, one work source, and for each selected pool
 * (asic / gpu / general) its Stratum port and its web port.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { PoolView } from './api/view.js';
import type { ChainAdapter } from './chains/types.js';
import { selectPools, storeUrl } from './config/load.js';
import type { Config, PoolSettings } from './config/schema.js';
import { targetToDifficulty } from './core/target.js';
import { coinsToUnits } from './core/amount.js';
import { createPayoutScheme, startLedger, type Ledger, type LedgerOptions } from './ledger/index.js';
import { createLogger, type Logger } from './log/logger.js';
import { BlockGate } from './pool/block-gate.js';
import { ethashVerifierOptions } from './chains/ethash/verifier.js';
import { EthashPool } from './pool/ethash-pool.js';
import { ethashUnavailableReason, seedHashHex, startEthashProcess, type EthashProcess } from './pool/ethash-wiring.js';
import { NetworkTracker } from './pool/network-tracker.js';
import { PoolRuntime } from './pool/pool.js';
import { startSeriesRecorder, type SeriesRecorder } from './pool/series-recorder.js';
import { buildPoolView } from './pool-view.js';
import { WorkSource } from './pool/work-source.js';
import { connectNode, type NodeConnection } from './node.js';
import { openStore, type OpenedStore } from './store-setup.js';
import { banPolicyFrom, stratumLimitsFrom } from './runtime-config.js';
import { diffConfig, payoutsChanged, type ReloadReport } from './reload.js';
import { loadTlsMaterial, type TlsMaterial } from './tls-files.js';
import { BanRegistry } from './stratum/bans.js';
import { createStratumServer } from './stratum/server.js';
import { createExtranonce1Allocator } from './stratum/extranonce.js';
import { createClusterStratumServer } from './stratum/cluster/primary.js';
import { SlicedExtranonce1Allocator } from './stratum/cluster/partitioned-allocator.js';
import type { Extranonce1Allocator, StratumServer } from './stratum/types.js';

const GXC_RECONCILE_GRACE_MS = 60 * 60 * 1000;

export interface RunningPool {
  settings: PoolSettings;
  runtime: PoolRuntime;
  /** The Ethash side (gpu pool, general port); null when the pool serves no Ethash or the chain takes none. */
  ethash: EthashPool | null;
  stratum: StratumServer;
  stratumPort: number;
  /** The stratum+ssl:// port, or null without `stratum.tls`. */
  stratumTlsPort: number | null;
  view: PoolView;
  /** Null until the web side is up (it starts after every pool's Stratum ports listen). */
  web: FastifyInstance | null;
  webPort: number;
}

export interface PoolProcess {
  logger: Logger;
  chain: ChainAdapter;
  node: NodeConnection;
  store: OpenedStore;
  pools: RunningPool[];
  workSource: WorkSource;
  ledgers: Ledger[];
  bans: BanRegistry;
  /** The configuration in force (replaced by a successful reload). */
  config(): Config;
  /** Applies a new, already validated configuration to the running pools (SIGHUP); see reload.ts. */
  reload(next: Config): Promise<ReloadReport>;
  /**
   * Graceful stop: stop accepting, `client.reconnect` (per `stratum.shutdown`), answer the shares in flight, then
   * flush the share writer and close everything.
   */
  shutdown(): Promise<void>;
  /** Immediate stop (tests, failed start): connections are dropped, accepted shares are still flushed. */
  stop(): Promise<void>;
}

export interface StartOverrides {
  logger?: Logger;
  /** Tests: listen on ephemeral ports (0) for every pool instead of the presets'. */
  ephemeralPorts?: boolean;
  /**
   * Tests: ledger timing for every pool's ledger (fast ticks, a short lease, payment grace, or autoStart false to
   * drive `runOnce` by hand). Unset fields keep the ledger's defaults.
   */
  ledger?: Pick<LedgerOptions, 'tickMs' | 'leaseTtlMs' | 'autoStart' | 'payments' | 'lifecycle'>;
}

export async function startPoolProcess(cfg: Config, overrides: StartOverrides = {}): Promise<PoolProcess> {
  const logger = overrides.logger ?? createLogger({ level: cfg.log.level, format: cfg.log.format, file: path.join(cfg.dataDir, 'gxc-pool.log') });
  fs.mkdirSync(cfg.dataDir, { recursive: true });

  const node = await connectNode(cfg, logger);
  const chain = node.chain;
  const opened = await openStore(storeUrl(cfg), `${os.hostname()}:${process.pid}`, logger, {
    spoolFile: path.join(cfg.dataDir, 'pg-spool.journal'),
    sqliteWriterThread: cfg.store.sqliteWriterThread,
  });
  const { store, instanceId } = opened;

  // Read before any port opens: a bad certificate stops the start with a message naming the file.
  const tlsMaterial = cfg.stratum.tls === undefined ? null : loadTlsMaterial(cfg.stratum.tls);
  // With socket workers the counter space is sliced: slice 0 here, slice i in worker i (no overlap, no messages).
  const allocator: Extranonce1Allocator =
    cfg.stratum.workers > 0 ? new SlicedExtranonce1Allocator(instanceId, 0) : createExtranonce1Allocator(instanceId);
  // One ban list for the process: an address banned on one pool's port is refused on every port.
  const bans = new BanRegistry(banPolicyFrom(cfg), logger.child({ component: 'bans' }));
  const extranonce2Size = cfg.stratum.extranonce2Size;
  const workSource = new WorkSource({
    chain,
    extranonceSize: allocator.size + extranonce2Size,
    pollMs: cfg.node.pollMs,
    refreshSeconds: cfg.node.refreshSeconds,
    logger: logger.child({ component: 'work' }),
  });

  const pools: RunningPool[] = [];
  const ledgers: Ledger[] = [];
  const servesEthash = selectPools(cfg, { devnet: node.isDevnet }).some((p) => p.algorithms.includes('ethash'));
  const ethashLog = logger.child({ component: 'ethash' });
  const ethash = servesEthash
    ? startEthashProcess(chain, { instanceId, logger: ethashLog, verifier: ethashVerifierOptions(cfg.ethash, ethashLog) })
    : null;
  if (servesEthash && !ethash) logger.warn({ event: 'ethash_unavailable', chain: chain.kind }, ethashUnavailableReason(chain));
  // One for the process: every pool mines the same chain, so one block per previous block goes to the node.
  const blockGate = new BlockGate();
  const recorders: SeriesRecorder[] = [];
  let nodeWatch: NodeJS.Timeout | undefined;
  // Every web port serves every pool of the process: each API reads this list at request time.
  const views: PoolView[] = [];
  const network = new NetworkTracker();
  const stopAll = async (): Promise<void> => {
    workSource.stop();
    clearInterval(nodeWatch);
    for (const r of recorders) r.stop();
    for (const l of ledgers) await l.stop().catch(() => undefined);
    for (const p of pools) {
      await p.stratum.close().catch(() => undefined);
      // Block submissions answered to miners but still waiting for the node get their verdict recorded.
      await p.runtime.settled();
      await p.web?.close().catch(() => undefined);
    }
    bans.close();
    await opened.close();
    await node.stop();
    await ethash?.close();
  };

  let current = cfg;
  const shutdown = async (): Promise<void> => {
    const s = current.stratum.shutdown;
    const reconnect = s.reconnect ? { host: s.reconnectHost, waitSeconds: s.reconnectWaitSeconds } : undefined;
    const reports = await Promise.all(pools.map((p) => p.stratum.drain({ reconnect, timeoutMs: s.drainSeconds * 1000 })));
    await stopAll();
    logger.info(
      {
        event: 'stopped',
        sessions: reports.reduce((n, r) => n + r.sessions, 0),
        reconnected: reports.reduce((n, r) => n + r.reconnected, 0),
        allAnswered: reports.every((r) => r.allAnswered),
        sharesStored: opened.shareWriter.stats.shares,
      },
      'pool stopped',
    );
  };

  const reload = async (next: Config): Promise<ReloadReport> => {
    const report = diffConfig(current, next);
    // The certificate files are read first: a bad one refuses the whole reload (ConfigError) before anything changes.
    const tlsListening = pools.some((p) => p.stratumTlsPort !== null);
    const material = tlsListening && next.stratum.tls !== undefined ? loadTlsMaterial(next.stratum.tls) : null;
    if (!tlsListening && next.stratum.tls !== undefined) {
      report.applied = report.applied.filter((k) => !k.startsWith('stratum.tls'));
      report.needsRestart.push('stratum.tls');
    }
    if (material !== null) for (const p of pools) p.stratum.setSecureContext(material);
    bans.reconfigure(banPolicyFrom(next));
    const nextPools = selectPools(next, { devnet: node.isDevnet });
    for (const p of pools) {
      const settings = nextPools.find((s) => s.name === p.settings.name);
      p.stratum.reconfigure({ limits: stratumLimitsFrom(next), difficulty: settings?.difficulty });
    }
    if (payoutsChanged(report)) {
      // The scheme and amounts are fixed inside a ledger: stop each (it finishes its tick) and start it anew.
      for (const l of ledgers.splice(0)) await l.stop();
      for (const p of pools) addLedger(next, p);
    }
    current = next;
    logger.info({ event: 'reloaded', applied: report.applied, needsRestart: report.needsRestart }, 'configuration reloaded');
    if (report.needsRestart.length > 0) {
      logger.warn(
        { event: 'reload_needs_restart', keys: report.needsRestart },
        `changed settings that need a restart: ${report.needsRestart.join(', ')}`,
      );
    }
    return report;
  };

  // A block the node accepted makes every pool's jobs on its previous block stale at once; then new work is fetched.
  const onBlockAccepted = (prevHashDisplay: string, accepted: boolean): void => {
    if (accepted) {
      for (const p of pools) {
        p.runtime.expireWorkOn(prevHashDisplay);
        p.ethash?.expireWorkOn(prevHashDisplay);
      }
    }
    void workSource.refreshNow(accepted ? 'block accepted' : 'block without verdict');
  };

  try {
    for (const selected of selectPools(cfg, { devnet: node.isDevnet })) {
      const settings = overrides.ephemeralPorts ? { ...selected, stratumPort: 0, webPort: 0 } : selected;
      pools.push(
        await startOnePool({
          cfg,
          settings,
          tlsMaterial,
          chain,
          node,
          opened,
          allocator,
          bans,
          extranonce2Size,
          workSource,
          logger,
          instanceId,
          onBlockAccepted,
          blockGate,
          ethash,
          views,
          network,
          // Read at call time: the ledgers array is the live one.
          ledgerOf: (name) => ledgers.find((l) => l.pool === name),
        }),
      );
    }
    // Loaded only now: fastify, its route schemas and prom-client are most of the start-up's module loading, and
    // miners should not wait for them.
    const { createApiServer } = await import('./api/server.js');
    for (const p of pools) await startPoolWeb(p, createApiServer, { cfg, views, opened, logger });
  } catch (err) {
    await stopAll();
    throw err;
  }

  workSource.on('work', (work, clean) => {
    network.template(work.height, Date.now());
    const networkDifficulty = targetToDifficulty(work.networkTarget);
    // One template serves both algorithms: the Ethash work is derived once for every pool.
    const ethashWork = ethash && pools.some((p) => p.ethash) ? ethash.workFor(work) : null;
    for (const p of pools) {
      // On GXC both algorithms mine against one target: one ceiling caps both kinds of sessions.
      p.stratum.setDifficultyCeiling(networkDifficulty);
      if (p.settings.algorithms.includes('sha256d')) {
        const job = p.runtime.addWork(work, clean);
        p.stratum.broadcastJob(job.stratum, clean);
      }
      if (p.ethash && ethashWork) p.stratum.broadcastEthashJob(p.ethash.addWork(ethashWork, clean), clean);
    }
  });
  await workSource.start();
  // Node errors for the operator console: sampled, so a flapping node shows each distinct message once.
  nodeWatch = setInterval(() => network.nodeError(workSource.lastNodeError(), Date.now()), 1000);
  nodeWatch.unref();
  for (const p of pools) {
    recorders.push(
      startSeriesRecorder({
        store,
        pool: p.settings.name,
        networkDifficulty: () => p.runtime.networkDifficulty(),
        logger: logger.child({ component: 'series', pool: p.settings.name }),
      }),
    );
  }

  // Confirmations and payments: every instance runs a ledger per pool, but only the lease holder acts.
  function startPoolLedger(settings: Config, p: RunningPool): Ledger {
    return startLedger({
      store,
      chain,
      pool: p.settings.name,
      scheme: createLedgerScheme(settings, node.poolAddress),
      minPayout: coinsToUnits(settings.payouts.minPayout),
      payoutIntervalMs: settings.payouts.intervalSeconds * 1000,
      holder: `${os.hostname()}:${process.pid}:${instanceId}`,
      logger: logger.child({ component: 'ledger' }),
      // A GXC node lists only mined transactions: give an interrupted payment an hour (many GXC blocks) to show
      // up in the wallet history before reconciliation may call it unsent.
      ...(chain.kind === 'gxc' ? { payments: { graceMs: GXC_RECONCILE_GRACE_MS } } : {}),
      ...overrides.ledger,
    });
  }
  const addLedger = (settings: Config, p: RunningPool): void => {
    ledgers.push(startPoolLedger(settings, p));
  };
  for (const p of pools) addLedger(cfg, p);

  logger.info(
    {
      event: 'started',
      node: node.description,
      chain: chain.kind,
      store: store.description,
      shareWriterThread: opened.sharesOnThread,
      instanceId,
    },
    `gxc-pool running: node ${node.description} (${chain.kind}), store ${store.description}, instance ${instanceId}`,
  );
  for (const p of pools) {
    logger.info(
      {
        event: 'listening',
        pool: p.settings.name,
        algorithms: p.settings.algorithms,
        stratumPort: p.stratumPort,
        stratumTlsPort: p.stratumTlsPort,
        webPort: p.webPort,
      },
      `${p.settings.name} pool (${p.settings.algorithms.join('+')}): stratum+tcp://${cfg.stratum.host}:${p.stratumPort}${p.stratumTlsPort === null ? '' : `  stratum+ssl://${cfg.stratum.host}:${p.stratumTlsPort}`}  web http://${cfg.web.host}:${p.webPort}`,
    );
  }

  return { logger, chain, node, store: opened, pools, workSource, ledgers, bans, config: () => current, reload, shutdown, stop: stopAll };
}

/** web.cors from a file may be a list; from a flag or the environment a comma-separated string. */
function corsSetting(value: Config['web']['cors']): boolean | string | string[] {
  if (value === undefined) return false;
  if (typeof value === 'string' && value !== '*') return value.split(',').map((o) => o.trim());
  return value;
}

export function createLedgerScheme(cfg: Config, poolAddress: string): ReturnType<typeof createPayoutScheme> {
  return createPayoutScheme({
    scheme: cfg.payouts.scheme,
    feePercent: cfg.payouts.fee,
    feeAddress: cfg.payouts.feeAddress ?? poolAddress,
    pplnsWindowFactor: cfg.payouts.pplnsWindow,
  });
}

interface OnePoolDeps {
  cfg: Config;
  settings: PoolSettings;
  tlsMaterial: TlsMaterial | null;
  chain: ChainAdapter;
  node: NodeConnection;
  opened: OpenedStore;
  allocator: Extranonce1Allocator;
  bans: BanRegistry;
  extranonce2Size: number;
  workSource: WorkSource;
  logger: Logger;
  instanceId: number;
  onBlockAccepted: (prevHashDisplay: string, accepted: boolean) => void;
  blockGate: BlockGate;
  ethash: EthashProcess | null;
  views: PoolView[];
  network: NetworkTracker;
  ledgerOf: (pool: string) => Ledger | undefined;
}

/** One pool's runtime and Stratum ports (listening on return); its web side comes later (startPoolWeb). */
async function startOnePool(d: OnePoolDeps): Promise<RunningPool> {
  const { cfg, settings, chain, workSource } = d;
  const log = d.logger.child({ pool: settings.name });
  const runtime = new PoolRuntime({
    name: settings.name,
    chain,
    store: d.opened.store,
    shares: d.opened.shareWriter,
    instanceId: d.instanceId,
    logger: log,
    onBlockAccepted: d.onBlockAccepted,
    blockGate: d.blockGate,
  });
  const ethashPool =
    settings.algorithms.includes('ethash') && d.ethash
      ? new EthashPool({
          runtime,
          capability: d.ethash.capability,
          hasher: d.ethash.hasher,
          seedHashOf: seedHashHex,
          shares: d.opened.shareWriter,
          instanceId: d.instanceId,
          logger: log.child({ algorithm: 'ethash' }),
        })
      : null;
  const stratum =
    socketWorkersFor(d, runtime) ??
    createStratumServer({
      backend: runtime,
      ...(ethashPool && d.ethash
        ? { ethashBackend: ethashPool, ethashDifficulty: settings.ethashDifficulty ?? settings.difficulty, ethashExtranonces: d.ethash.extranonces }
        : {}),
      allocator: d.allocator,
      algorithms: settings.algorithms,
      extranonce2Size: d.extranonce2Size,
      versionMask: parseInt(cfg.stratum.versionMask, 16) >>> 0,
      difficulty: settings.difficulty,
      limits: stratumLimitsFrom(cfg),
      bans: d.bans,
      logger: log.child({ component: 'stratum' }),
    });
  const stratumPort = await stratum.listen(settings.stratumPort, cfg.stratum.host);
  const tls = cfg.stratum.tls;
  const stratumTlsPort =
    tls === undefined || d.tlsMaterial === null
      ? null
      : await stratum.listenTls(
          tls.ports?.[settings.name] ?? (settings.stratumPort === 0 ? 0 : settings.stratumPort + 1000),
          cfg.stratum.host,
          d.tlsMaterial,
        );

  const view = buildPoolView({
    cfg,
    settings,
    chain,
    runtime,
    stratum,
    stratumPort,
    workSource,
    ethashPool,
    network: d.network,
    nodeDescription: d.node.description,
    ledger: () => d.ledgerOf(settings.name),
  });
  d.views.push(view);
  return { settings, runtime, ethash: ethashPool, stratum, stratumPort, stratumTlsPort, view, web: null, webPort: settings.webPort };
}

/** The pool's web/API port (every web port serves every pool of `views`). */
async function startPoolWeb(
  p: RunningPool,
  createApiServer: typeof import('./api/server.js').createApiServer,
  d: { cfg: Config; views: PoolView[]; opened: OpenedStore; logger: Logger },
): Promise<void> {
  const { cfg } = d;
  const web = createApiServer({
    view: p.view,
    pools: () => d.views,
    store: d.opened.store,
    spool: () => d.opened.spool?.state ?? null,
    logger: d.logger.child({ pool: p.settings.name }),
    web: { cors: corsSetting(cfg.web.cors), ...(cfg.web.adminToken ? { adminToken: cfg.web.adminToken } : {}) },
  });
  p.web = web;
  await web.listen({ port: p.settings.webPort, host: cfg.web.host });
  const address = web.server.address();
  p.webPort = typeof address === 'object' && address ? address.port : p.settings.webPort;
  p.view.webPort = p.webPort;
}

/**
 * The pool's sockets in `stratum.workers` processes (docs/multicore.md), for a pool that serves SHA-256d only;
 * null for the in-process server (workers = 0, or a port that also serves Ethash, which stays in-process).
 */
function socketWorkersFor(d: OnePoolDeps, runtime: PoolRuntime): StratumServer | null {
  const { cfg, settings } = d;
  if (cfg.stratum.workers === 0 || settings.algorithms.length !== 1 || settings.algorithms[0] !== 'sha256d') return null;
  return createClusterStratumServer({
    backend: runtime,
    workers: cfg.stratum.workers,
    bans: d.bans,
    instanceId: d.instanceId,
    extranonce2Size: d.extranonce2Size,
    versionMask: parseInt(cfg.stratum.versionMask, 16) >>> 0,
    difficulty: settings.difficulty,
    limits: stratumLimitsFrom(cfg),
    logger: d.logger.child({ pool: settings.name, component: 'stratum' }),
    workerLog: { level: cfg.log.level, file: path.join(cfg.dataDir, 'gxc-pool.log') },
    workOf: (job) => runtime.jobs.get(job.id)?.work,
    // Shares refused in a worker are counted (and sampled into the log) as if the pool had refused them here.
    onLocalRejects: (items) => {
      for (const r of items) {
        const origin = { address: r.address, worker: r.worker, remoteAddress: r.remoteAddress, jobDifficulty: r.jobDifficulty };
        for (let i = 0; i < r.count; i++) runtime.countVerdict(origin, runtime.rejectShare(origin, r.jobId, r.code, r.message));
      }
    },
  });
}
