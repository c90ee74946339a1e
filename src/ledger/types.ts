/**
 * What the ledger processors need from the rest of the pool: a narrow slice of the Store (so tests and future
 * backends only have to provide these calls) and the options shared by the processors.
 */
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';

/** The Store calls the block lifecycle uses. */
export type LifecycleStore = Pick<
  Store,
  'blocksByStatus' | 'blockById' | 'sharesBackFrom' | 'previousBlockShareId' | 'creditBlock' | 'orphanBlock' | 'reinstateBlock' | 'updateBlock'
>;

/** The Store calls the payment processor uses. */
export type PaymentStore = Pick<
  Store,
  | 'balances'
  | 'createPayments'
  | 'markPaymentsSent'
  | 'markPaymentsConfirmed'
  | 'markPaymentsFailed'
  | 'notePaymentAttempt'
  | 'paymentsByStatus'
  | 'paymentsByAddress'
>;

/** The Store calls leadership uses. */
export type LeaseStore = Pick<Store, 'tryAcquireLease' | 'releaseLease'>;

/** Everything startLedger needs; the real Store satisfies it. */
export type LedgerStorePort = LifecycleStore & PaymentStore & LeaseStore;

/** Shared by the processors: the clock (unix ms; tests inject one) and the logger. */
export interface ProcessorContext {
  pool: string;
  logger: Logger;
  now: () => number;
}
