/** Builds what the API reads of one running pool (src/api/view.ts) from the runtime, Stratum server and ledger. */
import type { PoolAdminControls, PoolPayoutSettings, PoolView } from './api/view.js';
import type { ChainAdapter } from './chains/types.js';
import type { Config, PoolSettings } from './config/schema.js';
import { targetToDifficulty } from './core/target.js';
import type { Ledger } from './ledger/index.js';
import type { NetworkTracker } from './pool/network-tracker.js';
import type { EthashPool } from './pool/ethash-pool.js';
import { ethashUnavailableReason } from './pool/ethash-wiring.js';
import type { PoolRuntime } from './pool/pool.js';
import type { WorkSource } from './pool/work-source.js';
import type { BanList, StratumServer } from './stratum/types.js';

export interface PoolViewDeps {
  cfg: Config;
  settings: PoolSettings;
  chain: ChainAdapter;
  runtime: PoolRuntime;
  stratum: StratumServer & { bans?: BanList };
  stratumPort: number;
  workSource: WorkSource;
  /** The pool's Ethash runtime, when it serves Ethash on a chain that has Ethash blocks. */
  ethashPool: EthashPool | null;
  network: NetworkTracker;
  nodeDescription: string;
  /** The pool's ledger once started (payout runs from the operator console). */
  ledger: () => Ledger | undefined;
}

export function payoutSettings(cfg: Config, chain: ChainAdapter): PoolPayoutSettings {
  return {
    scheme: cfg.payouts.scheme,
    feePercent: cfg.payouts.fee,
    pplnsWindow: cfg.payouts.pplnsWindow,
    minPayout: cfg.payouts.minPayout,
    maturity: chain.coinbaseMaturity,
    intervalSeconds: cfg.payouts.intervalSeconds,
  };
}

export function buildPoolView(d: PoolViewDeps): PoolView {
  const { runtime, stratum, chain, workSource, network } = d;
  const admin: PoolAdminControls = {
    sessions: () => stratum.sessions(),
    kick: (id, reason) => {
      const session = stratum.session(id);
      if (!session) return false;
      session.disconnect(reason);
      return true;
    },
    payouts: {
      dryRun: () => requireLedger(d).dryRun(),
      runNow: () => requireLedger(d).runOnce({ forcePayout: true }),
    },
    nodeErrors: () => network.recentErrors(),
    ...(stratum.bans ? { bans: stratum.bans } : {}),
  };
  return {
    name: d.settings.name,
    algorithms: d.settings.algorithms,
    chain: chain.kind,
    coinSymbol: chain.coinSymbol,
    stratumPort: d.stratumPort,
    counters: runtime.counters,
    startingDifficulty: d.settings.difficulty.initial,
    minerCounters: () => [...runtime.miners.values()].map((m) => ({ ...m, workers: m.workers.size })),
    connectionCount: () => stratum.sessionCount(),
    connectedSessions: () =>
      stratum
        .sessions()
        .map((s) => ({ address: s.address, worker: s.worker, difficulty: s.difficulty, connectedAt: s.connectedSince.getTime(), remote: s.remote })),
    currentJob: () => {
      const job = runtime.jobs.latest();
      if (job) {
        return {
          id: job.id,
          height: job.work.height,
          networkDifficulty: targetToDifficulty(job.work.networkTarget),
          prevHash: job.work.prevHashDisplay,
        };
      }
      const ethashJob = d.ethashPool?.currentEthashJob();
      const ethashWork = d.ethashPool?.currentWork();
      return ethashJob && ethashWork
        ? {
            id: ethashJob.id,
            height: ethashWork.height,
            networkDifficulty: targetToDifficulty(ethashWork.networkTarget),
            prevHash: ethashWork.prevHashDisplay,
          }
        : null;
    },
    // An Ethash-only pool on a chain without Ethash blocks says so (health ok: false with the reason).
    nodeError: () =>
      workSource.lastNodeError() ?? (d.settings.algorithms.includes('sha256d') || d.ethashPool ? null : ethashUnavailableReason(chain)),
    validateAddress: (a) => chain.validateAddress(a),
    refreshWork: (reason) => workSource.refreshNow(reason),
    payout: payoutSettings(d.cfg, chain),
    network: () => ({
      node: d.nodeDescription,
      dialect: chain.kind,
      lastTemplateAt: network.lastTemplateAt(),
      blockIntervalSeconds: network.blockIntervalSeconds(),
    }),
    workers: (address) => runtime.workerStats.list(address),
    acceptedDifficultyTotal: () => runtime.workerStats.acceptedDifficultyTotal,
    admin,
  };
}

function requireLedger(d: PoolViewDeps): Ledger {
  const ledger = d.ledger();
  // statusCode: the API answers 404 with this message.
  if (!ledger) throw Object.assign(new Error(`the ${d.settings.name} pool runs no payouts in this process`), { statusCode: 404 });
  return ledger;
}
