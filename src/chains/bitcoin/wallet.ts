/** Bitcoin Core wallet RPC behind ChainWallet: amounts as satoshi bigint, sent as exact 8-decimal strings. */
import type { ChainWallet, WalletPayment, WalletTransaction } from '../types.js';
import { RpcError, type RpcClient } from '../../rpc/types.js';
import { addressToScript, type BitcoinNetwork } from './address.js';
import { btcToSatoshi, satoshiToBtcString } from './amount.js';

/** Bitcoin Core's RPC_INVALID_ADDRESS_OR_KEY, returned by gettransaction for a txid the wallet does not know. */
const RPC_INVALID_ADDRESS_OR_KEY = -5;

/**
 * Sums amounts per address in first-seen order (sendmany refuses a duplicated address). Bech32 is
 * case-insensitive, so its upper- and lower-case forms are one destination to the node: they are merged, under
 * the lower-case form. Base58 is case-sensitive and stays as written.
 */
export function mergePayments(payments: readonly WalletPayment[]): Map<string, bigint> {
  const merged = new Map<string, bigint>();
  for (const p of payments) {
    const key = isBech32Form(p.address) ? p.address.toLowerCase() : p.address;
    merged.set(key, (merged.get(key) ?? 0n) + p.amount);
  }
  return merged;
}

function isBech32Form(address: string): boolean {
  return /^(bc|tb|bcrt)1/i.test(address);
}

export function createBitcoinWallet(rpc: RpcClient, network: BitcoinNetwork): ChainWallet {
  return {
    batchesPayments: true,

    async balance(): Promise<bigint> {
      const value = await rpc.call<unknown>('getbalance');
      if (typeof value !== 'number' && typeof value !== 'string') {
        throw new Error(`getbalance answered ${JSON.stringify(value)}, expected an amount`);
      }
      return btcToSatoshi(value);
    },

    async send(payments: readonly WalletPayment[], comment: string): Promise<string[]> {
      if (payments.length === 0) throw new Error('send: no payments');
      for (const p of payments) {
        if (p.amount <= 0n) throw new Error(`send: amount for ${p.address} must be positive, got ${p.amount}`);
        addressToScript(p.address, network);
      }
      const amounts: Record<string, string> = {};
      for (const [address, amount] of mergePayments(payments)) amounts[address] = satoshiToBtcString(amount);
      const txid = await rpc.call<unknown>('sendmany', ['', amounts, 1, comment]);
      if (typeof txid !== 'string' || !/^[0-9a-f]{64}$/i.test(txid)) {
        throw new Error(`sendmany answered ${JSON.stringify(txid)}, expected a txid`);
      }
      return payments.map(() => txid.toLowerCase());
    },

    async transaction(txid: string): Promise<WalletTransaction | null> {
      let tx: unknown;
      try {
        tx = await rpc.call<unknown>('gettransaction', [txid]);
      } catch (err) {
        if (err instanceof RpcError && err.code === RPC_INVALID_ADDRESS_OR_KEY) return null;
        throw err;
      }
      if (typeof tx !== 'object' || tx === null) throw new Error(`gettransaction answered ${JSON.stringify(tx)}`);
      const t = tx as { txid?: unknown; confirmations?: unknown; details?: unknown };
      if (typeof t.confirmations !== 'number') throw new Error('gettransaction answer has no confirmations');
      const details = Array.isArray(t.details) ? (t.details as Array<{ abandoned?: unknown }>) : [];
      const abandoned = details.some((d) => d.abandoned === true);
      return {
        txid: typeof t.txid === 'string' ? t.txid : txid,
        confirmations: t.confirmations < 0 || abandoned ? -1 : t.confirmations,
      };
    },

    async recentSends(count: number): Promise<Array<WalletPayment & { txid: string; time: number }>> {
      const list = await rpc.call<unknown>('listtransactions', ['*', count]);
      if (!Array.isArray(list)) throw new Error('listtransactions answered something other than an array');
      const sends: Array<WalletPayment & { txid: string; time: number }> = [];
      for (const entry of list as Array<Record<string, unknown>>) {
        if (entry.category !== 'send' || typeof entry.address !== 'string' || typeof entry.txid !== 'string') continue;
        if (typeof entry.amount !== 'number' && typeof entry.amount !== 'string') continue;
        const amount = btcToSatoshi(entry.amount);
        const time = typeof entry.time === 'number' ? entry.time : 0;
        sends.push({ address: entry.address, amount: amount < 0n ? -amount : amount, txid: entry.txid, time });
      }
      // listtransactions is oldest first; the contract is newest first.
      return sends.reverse();
    },
  };
}
