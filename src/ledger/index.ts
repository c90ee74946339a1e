/**
 * The ledger loop of one pool: block lifecycle then payments, run only by the instance holding the store lease
 * (several pool instances may share one database; exactly one of them judges blocks and pays). The lease is
 * taken or renewed at every tick and again right before each wallet call; a dead leader's lease expires and
 * another instance takes over at its next tick.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChainAdapter } from '../chains/types.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { createBlockLifecycle, type LifecycleOptions, type LifecycleReport } from './confirmations.js';
import { createPaymentProcessor, type PaymentOptions, type PaymentRunReport } from './payments.js';
import type { PayoutPlan } from './payouts/plan.js';
import type { PayoutScheme } from './schemes/index.js';
import type { LedgerStorePort } from './types.js';

export interface LedgerOptions {
  store: LedgerStorePort;
  chain: ChainAdapter;
  pool: string;
  scheme: PayoutScheme;
  /** Smallest unit. */
  minPayout: bigint;
  /** Default 3 600 000 (1 h). */
  payoutIntervalMs?: number;
  /** Time between ticks (default 30 000). Keep well under leaseTtlMs / 2 so the lease is renewed in time. */
  tickMs?: number;
  /** Default 90 000. */
  leaseTtlMs?: number;
  /** Lease role (default `ledger:<pool>`). */
  leaseRole?: string;
  /** Who this instance is in the lease table (default host:pid:random). */
  holder?: string;
  logger?: Logger;
  /** Unix ms; tests inject a clock. */
  now?: () => number;
  /** Start the timer (default true). False: the caller drives `runOnce` (CLI commands, tests). */
  autoStart?: boolean;
  payments?: Pick<PaymentOptions, 'graceMs' | 'clockSkewMs' | 'retry' | 'historyCount' | 'maxHistoryCount'>;
  lifecycle?: Pick<LifecycleOptions, 'recheckConfirmations' | 'candidateGraceMs'>;
}

export interface LedgerTickReport {
  /** False when another instance holds the lease (nothing was done). */
  leader: boolean;
  lifecycle: LifecycleReport | null;
  payments: PaymentRunReport | null;
  /** A step that failed as a whole (node unreachable, database error); retried next tick. */
  errors: string[];
}

export interface Ledger {
  /** The pool this ledger judges blocks and pays for. */
  readonly pool: string;
  readonly holder: string;
  /** One tick now (serialised with the timer's). `forcePayout` pays even if the interval has not elapsed. */
  runOnce(options?: { forcePayout?: boolean }): Promise<LedgerTickReport>;
  /** What a payout would do now and why; writes nothing and needs no lease. */
  dryRun(): Promise<PayoutPlan>;
  /** Stops the timer, waits for a running tick, gives the lease up. */
  stop(): Promise<void>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function startLedger(options: LedgerOptions): Ledger {
  const { store, chain, pool, scheme } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 30_000;
  const leaseTtlMs = options.leaseTtlMs ?? 90_000;
  const role = options.leaseRole ?? `ledger:${pool}`;
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const context = { pool, logger, now };

  const lifecycle = createBlockLifecycle({ ...context, ...options.lifecycle, store, chain, scheme });
  const renew = (): Promise<boolean> => store.tryAcquireLease(role, holder, leaseTtlMs);
  const payments = createPaymentProcessor({
    ...context,
    ...options.payments,
    store,
    chain,
    minPayout: options.minPayout,
    payoutIntervalMs: options.payoutIntervalMs,
    stillLeader: renew,
  });

  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<LedgerTickReport> = Promise.resolve({ leader: false, lifecycle: null, payments: null, errors: [] });

  async function tick(forcePayout: boolean): Promise<LedgerTickReport> {
    const report: LedgerTickReport = { leader: false, lifecycle: null, payments: null, errors: [] };
    let leader: boolean;
    try {
      leader = await renew();
    } catch (err) {
      report.errors.push(`lease: ${message(err)}`);
      logger.error({ pool, err: message(err) }, 'ledger lease check failed');
      return report;
    }
    if (leader !== leading) logger.info({ pool, holder, role }, leader ? 'ledger leadership taken' : 'ledger leadership lost');
    leading = leader;
    report.leader = leader;
    if (!leader) return report;
    try {
      report.lifecycle = await lifecycle.run();
    } catch (err) {
      report.errors.push(`lifecycle: ${message(err)}`);
      logger.error({ pool, err: message(err) }, 'block lifecycle run failed');
    }
    try {
      if (await renew()) report.payments = await payments.run({ force: forcePayout });
      else {
        leading = false;
        logger.warn({ pool, holder }, 'ledger leadership lost during the tick: payments skipped');
      }
    } catch (err) {
      report.errors.push(`payments: ${message(err)}`);
      logger.error({ pool, err: message(err) }, 'payment run failed');
    }
    return report;
  }

  function runSerial(forcePayout: boolean): Promise<LedgerTickReport> {
    running = running.then(
      () => tick(forcePayout),
      () => tick(forcePayout),
    );
    return running;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void runSerial(false).finally(() => schedule(tickMs));
    }, delay);
    timer.unref();
  }

  if (options.autoStart !== false) schedule(0);

  return {
    pool,
    holder,
    runOnce: (opts = {}) => runSerial(opts.forcePayout === true),
    dryRun: () => payments.dryRun(),
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running.catch(() => undefined);
      if (leading) {
        leading = false;
        await store.releaseLease(role, holder).catch((err: unknown) => {
          logger.warn({ pool, err: message(err) }, 'could not release the ledger lease (it will expire)');
        });
      }
    },
  };
}

export { createBlockLifecycle } from './confirmations.js';
export type { BlockChange, BlockLifecycle, LifecycleOptions, LifecycleReport } from './confirmations.js';
export { createPaymentProcessor } from './payments.js';
export type { PaymentOptions, PaymentProcessor, PaymentRunReport } from './payments.js';
export { planPayouts, DEFAULT_RETRY_POLICY } from './payouts/plan.js';
export type { PayoutPlan, PlannedPayout, SkippedAddress, InFlightPayment, RetryPolicy } from './payouts/plan.js';
export { allocationForBlock, creditInputOf } from './rounds.js';
export { createPayoutScheme, DEFAULT_PPLNS_WINDOW_FACTOR } from './schemes/index.js';
export type { SchemeOptions } from './schemes/index.js';
export type * from './schemes/types.js';
export type { LedgerStorePort, LifecycleStore, PaymentStore, LeaseStore } from './types.js';
