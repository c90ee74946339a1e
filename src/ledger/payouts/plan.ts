/**
 * Deciding who is paid now, and saying why for everyone else (`gxc-pool payouts --dry-run` prints this).
 * Pure: the processor gathers balances, in-flight payments and recent payment history, this decides.
 */
import type { AddressBalance, PaymentRow } from '../../store/types.js';

export interface RetryPolicy {
  /** Wait after the first failed payment to an address; doubles per consecutive failure. */
  baseMs: number;
  /** Upper bound of the wait. */
  maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 60_000, maxMs: 3_600_000 };

export interface PlannedPayout {
  address: string;
  /** The whole confirmed balance. */
  amount: bigint;
  immature: bigint;
  /** Consecutive failed payments before this one (0 = first try). */
  previousFailures: number;
  reason: string;
}

export interface SkippedAddress {
  address: string;
  confirmed: bigint;
  immature: bigint;
  reason: string;
}

export interface InFlightPayment {
  id: number;
  address: string;
  amount: bigint;
  batchId: string;
  attempts: number;
  error: string | null;
  createdAt: number;
}

export interface PayoutPlan {
  pool: string;
  at: number;
  minPayout: bigint;
  payouts: PlannedPayout[];
  total: bigint;
  skipped: SkippedAddress[];
  /** Payments recorded but not settled yet (reconciliation decides them; their addresses wait). */
  inFlight: InFlightPayment[];
  /** 'sendmany' = one transaction for all, 'per-recipient' = one transaction each. */
  sendMode: 'sendmany' | 'per-recipient';
  /** Null when not asked or the wallet could not be reached (see walletNote). */
  walletBalance: bigint | null;
  walletNote: string | null;
}

export interface PlanInput {
  pool: string;
  now: number;
  minPayout: bigint;
  balances: readonly AddressBalance[];
  /** 'pending' payments of the pool. */
  pending: readonly PaymentRow[];
  /** Recent payments per address (newest first), for the retry back-off; addresses missing → no history. */
  history: ReadonlyMap<string, readonly PaymentRow[]>;
  validateAddress: (address: string) => string | null;
  retry: RetryPolicy;
  sendMode: PayoutPlan['sendMode'];
}

/**
 * Consecutive failed payments (newest first) that the WALLET refused or errored on (attempts > 0), and when the
 * last one happened. Rows failed because the process died before reaching the wallet (attempts 0) say nothing
 * about the wallet: they do not delay the retry.
 */
export function failureStreak(history: readonly PaymentRow[]): { failures: number; lastFailedAt: number; lastError: string | null } {
  let failures = 0;
  let lastFailedAt = 0;
  let lastError: string | null = null;
  for (const p of history) {
    if (p.status !== 'failed') break;
    if (p.attempts === 0) continue;
    if (failures === 0) {
      lastFailedAt = p.updatedAt;
      lastError = p.error;
    }
    failures += 1;
  }
  return { failures, lastFailedAt, lastError };
}

export function retryDelayMs(failures: number, retry: RetryPolicy): number {
  if (failures <= 0) return 0;
  return Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(failures - 1, 30));
}

function fmt(amount: bigint): string {
  return amount.toString();
}

export function planPayouts(input: PlanInput): PayoutPlan {
  const inFlightAddresses = new Set(input.pending.map((p) => p.address));
  const payouts: PlannedPayout[] = [];
  const skipped: SkippedAddress[] = [];
  const sorted = [...input.balances].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const b of sorted) {
    const skip = (reason: string): void => {
      skipped.push({ address: b.address, confirmed: b.confirmed, immature: b.immature, reason });
    };
    if (b.confirmed <= 0n) {
      if (b.confirmed < 0n) skip(`confirmed balance ${fmt(b.confirmed)} is negative (an orphaned block's credits were reversed after a payout)`);
      else if (b.immature > 0n) skip(`only immature balance ${fmt(b.immature)} (waiting for coinbase maturity)`);
      continue;
    }
    if (b.confirmed < input.minPayout) {
      skip(`confirmed balance ${fmt(b.confirmed)} below the minimum payout ${fmt(input.minPayout)}`);
      continue;
    }
    if (inFlightAddresses.has(b.address)) {
      skip('a payment to this address is still being settled');
      continue;
    }
    const invalid = input.validateAddress(b.address);
    if (invalid !== null) {
      skip(`address cannot receive payouts: ${invalid}`);
      continue;
    }
    const streak = failureStreak(input.history.get(b.address) ?? []);
    const retryAt = streak.lastFailedAt + retryDelayMs(streak.failures, input.retry);
    if (streak.failures > 0 && input.now < retryAt) {
      skip(`retry ${streak.failures + 1} after ${new Date(retryAt).toISOString()} (last error: ${streak.lastError ?? 'unknown'})`);
      continue;
    }
    payouts.push({
      address: b.address,
      amount: b.confirmed,
      immature: b.immature,
      previousFailures: streak.failures,
      reason:
        `confirmed balance ${fmt(b.confirmed)} >= minimum ${fmt(input.minPayout)}` +
        (streak.failures > 0 ? `; retry after ${streak.failures} failed payment(s)` : ''),
    });
  }
  return {
    pool: input.pool,
    at: input.now,
    minPayout: input.minPayout,
    payouts,
    total: payouts.reduce((sum, p) => sum + p.amount, 0n),
    skipped,
    inFlight: input.pending.map((p) => ({
      id: p.id,
      address: p.address,
      amount: p.amount,
      batchId: p.batchId,
      attempts: p.attempts,
      error: p.error,
      createdAt: p.createdAt,
    })),
    sendMode: input.sendMode,
    walletBalance: null,
    walletNote: null,
  };
}
