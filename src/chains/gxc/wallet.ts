/**
 * The node wallet the pool pays from, in the GXC dialect: `getbalance [ADDR]`, one `sendtoaddress` per
 * recipient (there is no sendmany), `gettransaction`, and `listtransactions [ADDR, COUNT]` for reconciliation.
 *
 * Limitations of the GXC node, and what this does about them:
 * - `gettransaction` only finds transactions already in a block. A payment this process sent that is still in
 *   the mempool is reported with 0 confirmations from memory; after a restart it reads as unknown until mined.
 * - `listtransactions` (not in every build; absent → recentSends() throws, so nothing is paid twice) lists mined transactions only.
 * - Payments leave from the pool address (FROM = pool address), which must belong to the node's wallet.
 */
import { RpcError, type RpcClient } from '../../rpc/types.js';
import type { ChainWallet, WalletPayment, WalletTransaction } from '../types.js';
import { gxcAmountToUnits, unitsToGxcDecimal } from './amounts.js';
import { validateGxcAddress, type GxcNetwork } from './address.js';
import { GxcPartialSendError } from './errors.js';
import type { Logger } from '../../log/logger.js';

const NOT_FOUND_RE = /not found/i;

export function createGxcWallet(opts: { rpc: RpcClient; poolAddress: string; network: GxcNetwork; logger: Logger }): ChainWallet {
  const { rpc, poolAddress, logger } = opts;
  // Payments sent by this process, so a mempool txid is not mistaken for an unknown one.
  const sentHere = new Map<string, number>();

  return {
    batchesPayments: false,

    async balance(): Promise<bigint> {
      const gxc = await rpc.callFirst<number>(['getbalance', 'gxc_getBalance'], [poolAddress]);
      if (typeof gxc !== 'number' || !Number.isFinite(gxc) || gxc < 0)
        throw new Error(`getbalance answered ${JSON.stringify(gxc)}, not a GXC amount`);
      return gxcAmountToUnits(gxc);
    },

    async send(payments: readonly WalletPayment[], comment: string): Promise<string[]> {
      for (const p of payments) {
        const problem = validateGxcAddress(p.address, opts.network);
        if (problem) throw new Error(`GXC payout to ${p.address} refused before sending anything: ${problem}`);
        if (p.amount <= 0n) throw new Error(`GXC payout to ${p.address} refused before sending anything: amount ${p.amount} must be > 0`);
      }
      const sent: Array<{ address: string; amount: bigint; txid: string }> = [];
      for (const p of payments) {
        let txid: unknown;
        try {
          // Amount as an exact decimal string: the node accepts strings, and no float rounding happens here.
          txid = await rpc.callFirst(['sendtoaddress', 'gxc_sendToAddress'], [p.address, unitsToGxcDecimal(p.amount), poolAddress], { retries: 0 });
          if (typeof txid !== 'string' || txid.length === 0) throw new Error(`sendtoaddress answered ${JSON.stringify(txid)}, not a txid`);
        } catch (err) {
          if (sent.length === 0) throw err;
          throw new GxcPartialSendError(sent, p.address, err);
        }
        sentHere.set(txid, Math.floor(Date.now() / 1000));
        sent.push({ address: p.address, amount: p.amount, txid });
        logger.info({ event: 'gxc_payment_sent', address: p.address, amount: p.amount.toString(), txid, comment }, 'GXC payment sent');
      }
      return sent.map((s) => s.txid);
    },

    async transaction(txid: string): Promise<WalletTransaction | null> {
      try {
        const tx = await rpc.call<{ confirmations?: unknown }>('gettransaction', [txid]);
        const c = tx?.confirmations;
        return { txid, confirmations: typeof c === 'number' && Number.isFinite(c) ? c : 0 };
      } catch (err) {
        if (err instanceof RpcError && NOT_FOUND_RE.test(err.rpcMessage)) {
          return sentHere.has(txid) ? { txid, confirmations: 0 } : null;
        }
        throw err;
      }
    },

    async recentSends(count: number): Promise<Array<WalletPayment & { txid: string; time: number }>> {
      let list: unknown;
      try {
        list = await rpc.call('listtransactions', [poolAddress, Math.max(1, Math.floor(count))]);
      } catch (err) {
        // Without wallet history an interrupted payment cannot be proven sent or unsent: answering "no sends"
        // could pay it twice, so say so and let the ledger keep that payment waiting (logged) instead.
        if (err instanceof RpcError && err.isMethodNotFound) {
          throw new Error('the GXC node has no listtransactions: an interrupted payment cannot be reconciled until it offers wallet history');
        }
        throw err;
      }
      if (!Array.isArray(list)) throw new Error('listtransactions did not answer an array');
      const sends: Array<WalletPayment & { txid: string; time: number }> = [];
      for (const entry of list as Array<Record<string, unknown>>) {
        if (!entry || typeof entry !== 'object' || entry.coinbase === true || entry.is_coinbase === true) continue;
        const from = entry.from ?? entry.fromAddress;
        if (entry.category !== 'send' && from !== poolAddress) continue;
        const txid = typeof entry.txid === 'string' ? entry.txid : typeof entry.hash === 'string' ? entry.hash : null;
        const time = typeof entry.time === 'number' ? entry.time : typeof entry.timestamp === 'number' ? entry.timestamp : 0;
        if (!txid || !Array.isArray(entry.outputs)) continue;
        // Change comes back to the pool address; every other output is a payment.
        for (const out of entry.outputs as Array<Record<string, unknown>>) {
          if (typeof out?.address !== 'string' || out.address === poolAddress || typeof out.amount !== 'number') continue;
          sends.push({ address: out.address, amount: gxcAmountToUnits(out.amount), txid, time });
        }
      }
      sends.sort((a, b) => b.time - a.time);
      return sends.slice(0, count);
    },
  };
}
