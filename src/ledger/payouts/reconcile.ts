/**
 * Settling payments whose wallet call's outcome is not recorded: the process died after the intent was written,
 * or during/after the wallet call, or the wallet call failed in a way that does not prove the money stayed (a
 * timeout). See payments.ts for the whole state machine.
 *
 * A 'pending' payment is looked at only once `graceMs` has passed since its last write (creation or the note of a
 * failed call): by then any wallet call made for it has returned or died, so the wallet's history is final for
 * it. Then:
 *   - a send in the wallet's history to the same address, of the same amount, not older than the intent (minus
 *     the allowed clock skew), whose txid is not already the txid of another payment to that address (and whose
 *     comment names the payment's batch, when the wallet reports comments) → it WAS paid: 'sent' with that txid;
 *   - no such send, and the history provably reaches back to the intent's creation → it was NOT paid: 'failed'
 *     with a refund entry, so the balance is owed again and a later run pays it with a new intent;
 *   - the history does not reach back that far (a very busy wallet), cannot be read, or misses a payment we know
 *     was sent (a wallet listing mined transactions only, or nothing) → undecided, asked again next run; never
 *     guessed.
 * The wallet's `recentSends` must therefore list every send including unconfirmed ones, or throw when it cannot.
 */
import type { ChainWallet, WalletPayment } from '../../chains/types.js';
import type { PaymentRow } from '../../store/types.js';
import type { PaymentStore, ProcessorContext } from '../types.js';

/** A wallet send as reconciliation reads it; `comment` is used when the adapter reports it. */
export interface WalletSend extends WalletPayment {
  txid: string;
  /** Unix ms (adapters may report seconds: normalised by `sendTimeMs`). */
  time: number;
  comment?: string;
}

/** Wallet times may be unix seconds (Bitcoin Core, GXC) or ms: values below 10^12 are seconds (before 2001 in ms). */
export function sendTimeMs(time: number): number {
  return time < 1e12 ? time * 1000 : time;
}

export interface ReconcileOptions extends ProcessorContext {
  store: PaymentStore;
  wallet: Pick<ChainWallet, 'recentSends'>;
  graceMs: number;
  /** How much older than the intent a matching wallet send may look (clocks of pool and node differ). */
  clockSkewMs: number;
  historyCount: number;
  maxHistoryCount: number;
}

export interface ReconcileReport {
  sent: Array<{ id: number; txid: string }>;
  failed: number[];
  /** Still pending: within the grace period, or the history was too short to decide. */
  waiting: number[];
}

/** Whether a wallet send matches a pending payment (exported for tests and the dry run). */
export function sendMatches(payment: PaymentRow, send: WalletSend, clockSkewMs: number): boolean {
  if (send.address !== payment.address || send.amount !== payment.amount) return false;
  if (sendTimeMs(send.time) < payment.createdAt - clockSkewMs) return false;
  if (typeof send.comment === 'string' && send.comment.length > 0 && !send.comment.includes(payment.batchId)) return false;
  return true;
}

export async function reconcilePending(opts: ReconcileOptions, pending: readonly PaymentRow[]): Promise<ReconcileReport> {
  const { store, wallet, pool, logger, now } = opts;
  const report: ReconcileReport = { sent: [], failed: [], waiting: [] };
  const due = pending.filter((p) => now() >= p.updatedAt + opts.graceMs);
  for (const p of pending) if (!due.includes(p)) report.waiting.push(p.id);
  if (due.length === 0) return report;

  // One history read covers every due payment: it must reach back to the oldest intent.
  const oldestCreated = Math.min(...due.map((p) => p.createdAt));
  const reachesBack = (h: WalletSend[], n: number): boolean => h.length < n || h.some((s) => sendTimeMs(s.time) < oldestCreated - opts.clockSkewMs);
  let count = opts.historyCount;
  let history: WalletSend[];
  try {
    history = (await wallet.recentSends(count)) as WalletSend[];
    while (!reachesBack(history, count) && count < opts.maxHistoryCount) {
      count = Math.min(opts.maxHistoryCount, count * 4);
      history = (await wallet.recentSends(count)) as WalletSend[];
    }
  } catch (err) {
    // No history, no verdict: the payments wait (their addresses get nothing new) and the rest of the run goes on.
    logger.error(
      { pool, err: err instanceof Error ? err.message : String(err), paymentIds: due.map((p) => p.id) },
      'wallet history unavailable: unsettled payments wait',
    );
    report.waiting.push(...due.map((p) => p.id));
    return report;
  }
  const complete = reachesBack(history, count);
  const oldestInHistory = history.reduce((min, s) => Math.min(min, sendTimeMs(s.time)), Infinity);
  const coveredFrom = history.length < count ? -Infinity : oldestInHistory;

  // (txid, address) pairs already owned by a payment cannot prove another one. Every pool of the process pays from
  // the same node wallet, so payments of ALL pools are read: another pool's send of the same amount to the same
  // miner is not this payment.
  const taken = new Set<string>();
  const key = (txid: string, address: string): string => `${txid}\u0000${address}`;
  const listed = new Set(history.map((s) => key(s.txid, s.address)));
  const missingWitnesses: number[] = [];
  for (const address of new Set(due.map((p) => p.address))) {
    for (const row of await store.paymentsByAddress(null, address, 100)) {
      if (row.txid === null) continue;
      taken.add(key(row.txid, row.address));
      // A send we know happened, long enough ago, inside the span the history claims to cover, must be listed;
      // if not, the history is not complete (a wallet that lists mined transactions only, or none at all).
      const witness =
        (row.status === 'sent' || row.status === 'confirmed') &&
        row.updatedAt <= now() - opts.graceMs &&
        row.createdAt - opts.clockSkewMs >= coveredFrom;
      if (witness && !listed.has(key(row.txid, row.address))) missingWitnesses.push(row.id);
    }
  }
  if (missingWitnesses.length > 0) {
    logger.error({ pool, paymentIds: missingWitnesses }, 'wallet history misses payments known to be sent: it cannot prove a payment absent');
  }

  for (const p of due) {
    const match = history.find((s) => sendMatches(p, s, opts.clockSkewMs) && !taken.has(key(s.txid, s.address)));
    if (match) {
      taken.add(key(match.txid, match.address));
      await store.markPaymentsSent([p.id], match.txid);
      report.sent.push({ id: p.id, txid: match.txid });
      logger.warn({ pool, paymentId: p.id, address: p.address, txid: match.txid }, 'payment found in the wallet history: marked sent');
      continue;
    }
    if (missingWitnesses.length > 0 || (!complete && oldestInHistory >= p.createdAt - opts.clockSkewMs)) {
      report.waiting.push(p.id);
      logger.error(
        { pool, paymentId: p.id, historyCount: count },
        'wallet history does not reach back to this payment: cannot decide whether it was paid; retried next run',
      );
      continue;
    }
    const reason =
      `not in the wallet's history ${Math.round(opts.graceMs / 1000)} s after the last attempt: never paid` +
      (p.error ? ` (last error: ${p.error})` : ' (the wallet was never reached)');
    await store.markPaymentsFailed([p.id], reason);
    report.failed.push(p.id);
    logger.warn({ pool, paymentId: p.id, address: p.address, amount: p.amount.toString() }, 'unsent payment refunded: it will be paid again');
  }
  return report;
}
