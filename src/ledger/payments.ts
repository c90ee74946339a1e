/**
 * Paying confirmed balances through the node wallet, exactly once, with nothing left for manual repair.
 *
 * A payment row stands for at most ONE wallet call, made right after the row is written, by the run that wrote
 * it (after checking it still leads). A row is never sent a second time: when it turns out unpaid it is failed and
 * refunded, and the owed balance is paid by a new row. State machine of one row:
 *
 *   (plan) ──createPayments: row 'pending' + debit entry, one transaction──▶ PENDING
 *   PENDING ──wallet returned txid(s)──▶ SENT(txid)
 *   PENDING ──wallet threw──▶ PENDING (attempts+1, error)            money may or may not have left (timeout)
 *   PENDING, grace passed since its last write (crash at any point, or the error above):
 *        ├─ matching send in the wallet history ──▶ SENT(txid)              it was paid
 *        ├─ none, history reaches back far enough ──▶ FAILED + refund entry  it was not paid; a later run pays
 *        │                                                                   the refunded balance (back-off per
 *        │                                                                   consecutive failure)
 *        └─ history too short ──▶ stays PENDING, asked again with a longer history (never guessed)
 *   SENT ──the wallet reports ≥ 1 confirmation──▶ CONFIRMED (final)
 *   SENT ──conflicted (-1): logged, left SENT: a replacement (fee bump) may have paid it; refunding could pay twice
 *
 * Why exactly once: a wallet call only happens for a row created moments before in the same run; any other row is
 * only ever resolved (to SENT or FAILED), never sent; FAILED is only concluded after the grace period (longer than
 * a wallet call and a lease can last) with no trace of the send in the wallet; an address with a PENDING row gets
 * no new row. Why nothing sticks: every PENDING row is resolved by the first run after its grace period.
 *
 * Bitcoin (wallet.batchesPayments): one sendmany for all payees, amounts already one per address. GXC: one
 * sendtoaddress per payee, each with its own row so each outcome is recorded on its own.
 */
import type { ChainAdapter, WalletPayment } from '../chains/types.js';
import { InsufficientBalanceError } from '../store/errors.js';
import type { PaymentRow } from '../store/types.js';
import { DEFAULT_RETRY_POLICY, planPayouts, type PayoutPlan, type RetryPolicy } from './payouts/plan.js';
import { reconcilePending, type ReconcileReport } from './payouts/reconcile.js';
import type { PaymentStore, ProcessorContext } from './types.js';

export interface PaymentOptions extends ProcessorContext {
  store: PaymentStore;
  chain: Pick<ChainAdapter, 'wallet' | 'validateAddress'>;
  /** Smallest unit. Confirmed balances at or above it are paid. */
  minPayout: bigint;
  /** New payouts at most this often (default 3 600 000 = 1 h); reconciliation runs on every call. */
  payoutIntervalMs?: number;
  /** Wait after a payment's last write before judging it from the wallet history (default 10 min). Must exceed the
   * wallet RPC timeout plus the leadership lease. */
  graceMs?: number;
  /** Allowed difference between the pool's and the node's clocks (default 5 min). */
  clockSkewMs?: number;
  retry?: RetryPolicy;
  /** Wallet sends read for reconciliation (default 500, grown up to maxHistoryCount when needed). */
  historyCount?: number;
  maxHistoryCount?: number;
  /** Asked right before each wallet call; false → no call (leadership was lost). */
  stillLeader?: () => Promise<boolean>;
}

export interface PaymentRunReport {
  reconciled: ReconcileReport;
  /** Payment ids that reached 'confirmed' in this run. */
  confirmed: number[];
  /** The plan acted on, or null when no payout was due this run. */
  plan: PayoutPlan | null;
  /** Wallet calls that returned: the payment ids and txid. */
  paid: Array<{ ids: number[]; txid: string }>;
  /** Wallet calls that failed (the payments stay pending until reconciled). */
  failures: Array<{ ids: number[]; error: string }>;
}

export interface PaymentProcessor {
  /** Reconciles, confirms, and pays when a payout is due (or `force`). */
  run(options?: { force?: boolean }): Promise<PaymentRunReport>;
  /** What a payout would do now and why, writing nothing. */
  dryRun(): Promise<PayoutPlan>;
}

const SENT_CHECK_LIMIT = 500;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createPaymentProcessor(opts: PaymentOptions): PaymentProcessor {
  const { store, chain, pool, logger, now } = opts;
  const wallet = chain.wallet;
  const intervalMs = opts.payoutIntervalMs ?? 3_600_000;
  const retry = opts.retry ?? DEFAULT_RETRY_POLICY;
  const reconcileOptions = {
    store,
    wallet,
    pool,
    logger,
    now,
    graceMs: opts.graceMs ?? 600_000,
    clockSkewMs: opts.clockSkewMs ?? 300_000,
    historyCount: opts.historyCount ?? 500,
    maxHistoryCount: opts.maxHistoryCount ?? 20_000,
  };
  if (typeof opts.minPayout !== 'bigint' || opts.minPayout <= 0n) {
    throw new Error(`minimum payout must be a positive amount in the smallest unit, got ${String(opts.minPayout)}`);
  }
  let lastPayoutAt: number | null = null;

  async function plan(): Promise<PayoutPlan> {
    const [balances, pending] = await Promise.all([store.balances(pool), store.paymentsByStatus(pool, ['pending'])]);
    const history = new Map<string, PaymentRow[]>();
    for (const b of balances) {
      if (b.confirmed >= opts.minPayout) history.set(b.address, await store.paymentsByAddress(pool, b.address, 20));
    }
    return planPayouts({
      pool,
      now: now(),
      minPayout: opts.minPayout,
      balances,
      pending,
      history,
      retry,
      validateAddress: (a) => chain.validateAddress(a),
      sendMode: wallet.batchesPayments ? 'sendmany' : 'per-recipient',
    });
  }

  async function withWalletBalance(p: PayoutPlan): Promise<PayoutPlan> {
    try {
      const balance = await wallet.balance();
      const short = balance < p.total ? `wallet balance ${balance} is below the payout total ${p.total}` : null;
      return { ...p, walletBalance: balance, walletNote: short };
    } catch (err) {
      return { ...p, walletNote: `wallet balance unavailable: ${message(err)}` };
    }
  }

  async function confirmSent(): Promise<number[]> {
    const sent = await store.paymentsByStatus(pool, ['sent'], SENT_CHECK_LIMIT);
    const byTxid = new Map<string, number[]>();
    for (const p of sent) if (p.txid !== null) byTxid.set(p.txid, [...(byTxid.get(p.txid) ?? []), p.id]);
    const confirmed: number[] = [];
    for (const [txid, ids] of byTxid) {
      const tx = await wallet.transaction(txid);
      if (tx === null) {
        logger.warn({ pool, txid, paymentIds: ids }, 'the wallet does not know a sent payment txid');
      } else if (tx.confirmations < 0) {
        logger.error({ pool, txid, paymentIds: ids }, 'payment transaction conflicted: check whether a replacement paid it');
      } else if (tx.confirmations >= 1) {
        await store.markPaymentsConfirmed(ids);
        confirmed.push(...ids);
      }
    }
    return confirmed;
  }

  /** Writes the intent, calls the wallet, records the outcome. Returns false when payouts must stop this run. */
  async function pay(items: WalletPayment[], report: PaymentRunReport): Promise<boolean> {
    if (opts.stillLeader && !(await opts.stillLeader())) {
      logger.warn({ pool }, 'leadership lost: payouts stopped before the wallet call');
      return false;
    }
    let rows: PaymentRow[];
    try {
      rows = await store.createPayments(pool, items);
    } catch (err) {
      if (err instanceof InsufficientBalanceError) {
        logger.warn({ pool, address: err.address, err: err.message }, 'balance changed since planning: payout postponed');
        return true;
      }
      throw err;
    }
    const ids = rows.map((r) => r.id);
    const comment = `gxc-pool ${pool} payout ${rows[0]?.batchId ?? ''}`;
    let txids: string[];
    try {
      txids = await wallet.send(items, comment);
      if (txids.length !== items.length || txids.some((t) => typeof t !== 'string' || t.length === 0)) {
        throw new Error(`the wallet returned ${txids.length} txid(s) for ${items.length} payment(s)`);
      }
    } catch (err) {
      const error = message(err);
      await store.notePaymentAttempt(ids, error);
      report.failures.push({ ids, error });
      logger.error({ pool, paymentIds: ids, err: error }, 'wallet send failed: settled by reconciliation after the grace period');
      return false; // the node or wallet is in trouble: do not pile up more pending rows this run
    }
    const byTxid = new Map<string, number[]>();
    txids.forEach((txid, i) => {
      byTxid.set(txid, [...(byTxid.get(txid) ?? []), ids[i] as number]);
    });
    for (const [txid, group] of byTxid) {
      await store.markPaymentsSent(group, txid);
      report.paid.push({ ids: group, txid });
    }
    logger.info({ pool, paymentIds: ids, txids: [...byTxid.keys()], total: items.reduce((s, i) => s + i.amount, 0n).toString() }, 'payout sent');
    return true;
  }

  return {
    async run(options = {}): Promise<PaymentRunReport> {
      const pending = await store.paymentsByStatus(pool, ['pending']);
      const reconciled = await reconcilePending(reconcileOptions, pending);
      const report: PaymentRunReport = { reconciled, confirmed: await confirmSent(), plan: null, paid: [], failures: [] };
      const due = options.force === true || lastPayoutAt === null || now() - lastPayoutAt >= intervalMs;
      if (!due) return report;
      lastPayoutAt = now();
      const p = await withWalletBalance(await plan());
      report.plan = p;
      if (p.payouts.length === 0) return report;
      if (p.walletBalance !== null && p.walletBalance < p.total) {
        logger.error({ pool, walletBalance: p.walletBalance.toString(), total: p.total.toString() }, 'wallet balance too low: payout postponed');
        return report;
      }
      const items = p.payouts.map((x) => ({ address: x.address, amount: x.amount }));
      const groups = wallet.batchesPayments ? [items] : items.map((i) => [i]);
      for (const group of groups) {
        if (!(await pay(group, report))) break;
      }
      return report;
    },

    async dryRun(): Promise<PayoutPlan> {
      return withWalletBalance(await plan());
    },
  };
}
