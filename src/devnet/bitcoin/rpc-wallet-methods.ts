/** Bitcoin Core wallet RPCs (the subset a pool's payouts use), answered from the devnet wallet. */
import { addressToScript, scriptToAddress } from '../../chains/bitcoin/address.js';
import { serializeTx, wtxidOf } from '../../chains/bitcoin/tx.js';
import { isCoinbase } from './block.js';
import { btcJson } from './amount.js';
import { duplicateKeysOf, type RpcJson, type RpcJsonObject } from './json.js';
import { RpcMethodError } from './rpc-server.js';
import { amount, hash, obj, optInt, optStr, str, RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RPC_TYPE_ERROR } from './rpc-params.js';
import { COINBASE_MATURITY } from './params.js';
import { WalletError, type DevnetWallet, type WalletTx } from './wallet.js';
import type { BitcoinRpcContext, MethodDef } from './rpc-chain-methods.js';
import type { ScriptKind } from './keys.js';
import { sumOutputs } from './utxo.js';

const ADDRESS_TYPES: Record<string, Exclude<ScriptKind, 'other'>> = {
  bech32: 'p2wpkh',
  legacy: 'p2pkh',
  'p2sh-segwit': 'p2sh-p2wpkh',
  bech32m: 'p2tr',
};

function walletCall<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof WalletError) throw new RpcMethodError(err.code, err.message);
    throw err;
  }
}

/** Core's per-output entries for listtransactions / gettransaction details. */
function detailEntries(c: BitcoinRpcContext, wallet: DevnetWallet, wtx: WalletTx, confirmations: number): RpcJsonObject[] {
  const out: RpcJsonObject[] = [];
  const fee = wtx.inputsValue === null ? null : wtx.inputsValue - sumOutputs(wtx.tx.outputs);
  wtx.tx.outputs.forEach((o, vout) => {
    const owner = wallet.ownerOf(o.scriptPubKey);
    const address = scriptToAddress(o.scriptPubKey, c.network) ?? undefined;
    const label = owner && !owner.internal ? owner.label : undefined;
    if (isCoinbase(wtx.tx)) {
      if (!owner) return;
      const category = confirmations < 0 ? 'orphan' : confirmations <= COINBASE_MATURITY ? 'immature' : 'generate';
      out.push({ address, category, amount: btcJson(o.value), label, vout });
      return;
    }
    if (wtx.debit > 0n) {
      if (owner?.internal) return; // change
      if (o.scriptPubKey[0] === 0x6a) return; // data carrier, no recipient
      out.push({
        address,
        category: 'send',
        amount: btcJson(-o.value),
        label,
        vout,
        fee: fee === null ? undefined : btcJson(-fee),
        abandoned: false,
      });
    }
    if (owner && !(wtx.debit > 0n && owner.internal)) out.push({ address, category: 'receive', amount: btcJson(o.value), label, vout });
  });
  return out;
}

function txFields(_c: BitcoinRpcContext, wallet: DevnetWallet, wtx: WalletTx): RpcJsonObject {
  const where = wallet.confirmations(wtx);
  const fields: RpcJsonObject = { confirmations: where.confirmations };
  if (isCoinbase(wtx.tx)) fields.generated = true;
  if (where.entry && where.confirmations > 0) {
    Object.assign(fields, {
      blockhash: where.entry.hash,
      blockheight: where.entry.height,
      blockindex: where.index,
      blocktime: where.entry.header.time,
    });
  }
  Object.assign(fields, {
    txid: wtx.txid,
    wtxid: Buffer.from(wtxidOf(wtx.tx)).reverse().toString('hex'),
    walletconflicts: [],
    time: wtx.timeReceived,
    timereceived: wtx.timeReceived,
    'bip125-replaceable': where.confirmations > 0 ? 'no' : 'yes',
    comment: wtx.comment ?? undefined,
  });
  return fields;
}

export function walletMethods(c: BitcoinRpcContext, wallet: DevnetWallet): MethodDef[] {
  const parseRecipient = (address: string): Buffer => {
    try {
      return addressToScript(address, c.network);
    } catch {
      throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, `Invalid Bitcoin address: ${address}`);
    }
  };
  const positive = (v: RpcJson | undefined): bigint => {
    const sats = amount(v);
    if (sats <= 0n) throw new RpcMethodError(RPC_TYPE_ERROR, 'Invalid amount for send');
    return sats;
  };
  return [
    ['getbalance', ['dummy', 'minconf', 'include_watchonly', 'avoid_reuse'], 0, () => btcJson(wallet.balance())],
    [
      'getbalances',
      [],
      0,
      () => ({ mine: { trusted: btcJson(wallet.balance()), untrusted_pending: btcJson(0n), immature: btcJson(immatureBalance(c, wallet)) } }),
    ],
    [
      'getnewaddress',
      ['label', 'address_type'],
      0,
      ([l, t]) => {
        const type = optStr(t, 'bech32');
        const kind = ADDRESS_TYPES[type];
        if (!kind) throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, `Unknown address type '${type}'`);
        return wallet.newAddress(kind, { label: optStr(l, '') });
      },
    ],
    [
      'importaddress',
      ['address', 'label', 'rescan', 'p2sh'],
      1,
      ([a, l]) => {
        try {
          wallet.importAddress(str(a), optStr(l, ''));
        } catch (err) {
          if (err instanceof RpcMethodError) throw err;
          throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, 'Invalid Bitcoin address or script');
        }
        return null;
      },
    ],
    [
      'getaddressinfo',
      ['address'],
      1,
      ([a]) => {
        const address = str(a);
        const script = parseRecipient(address);
        const owner = wallet.ownerOf(script);
        return {
          address,
          scriptPubKey: script.toString('hex'),
          ismine: owner !== undefined,
          iswatchonly: false,
          solvable: owner !== undefined,
          labels: owner?.label ? [owner.label] : [],
        };
      },
    ],
    [
      'sendtoaddress',
      [
        'address',
        'amount',
        'comment',
        'comment_to',
        'subtractfeefromamount',
        'replaceable',
        'conf_target',
        'estimate_mode',
        'avoid_reuse',
        'fee_rate',
        'verbose',
      ],
      2,
      ([a, v, comment, , subtract]) => {
        const script = parseRecipient(str(a));
        const value = positive(v);
        if (subtract === true) throw new RpcMethodError(RPC_INVALID_PARAMETER, 'subtractfeefromamount is not supported by the devnet wallet');
        return walletCall(() => wallet.send([{ script, value }], { comment: optStr(comment, '') || undefined }));
      },
    ],
    [
      'sendmany',
      ['dummy', 'amounts', 'minconf', 'comment', 'subtractfeefrom', 'replaceable', 'conf_target', 'estimate_mode', 'fee_rate', 'verbose'],
      2,
      ([d, amounts, , comment, subtract]) => {
        if (d !== undefined && d !== null && d !== '') throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Dummy value must be set to ""');
        const map = obj(amounts);
        const dup = duplicateKeysOf(map)[0];
        if (dup !== undefined) throw new RpcMethodError(RPC_INVALID_PARAMETER, `Invalid parameter, duplicated address: ${dup}`);
        if (Array.isArray(subtract) && subtract.length > 0) {
          throw new RpcMethodError(RPC_INVALID_PARAMETER, 'subtractfeefrom is not supported by the devnet wallet');
        }
        const seen = new Set<string>();
        const outputs: Array<{ script: Buffer; value: bigint }> = [];
        for (const [address, v] of Object.entries(map)) {
          const script = parseRecipient(address);
          const key = script.toString('hex');
          if (seen.has(key)) throw new RpcMethodError(RPC_INVALID_PARAMETER, `Invalid parameter, duplicated address: ${address}`);
          seen.add(key);
          outputs.push({ script, value: positive(v) });
        }
        if (outputs.length === 0) throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Transaction must have at least one recipient');
        return walletCall(() => wallet.send(outputs, { comment: optStr(comment, '') || undefined }));
      },
    ],
    [
      'gettransaction',
      ['txid', 'include_watchonly', 'verbose'],
      1,
      ([t]) => {
        const wtx = wallet.walletTx(hash(t, 'txid'));
        if (!wtx) throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, 'Invalid or non-wallet transaction id');
        const fields = txFields(c, wallet, wtx);
        const credit = wtx.tx.outputs.reduce((s, o) => s + (wallet.ownerOf(o.scriptPubKey) ? o.value : 0n), 0n);
        const fee = wtx.inputsValue === null ? null : wtx.inputsValue - sumOutputs(wtx.tx.outputs);
        const net = credit - wtx.debit + (fee ?? 0n);
        return {
          amount: btcJson(net),
          fee: fee === null ? undefined : btcJson(-fee),
          ...fields,
          details: detailEntries(c, wallet, wtx, fields.confirmations as number),
          hex: serializeTx(wtx.tx, true).toString('hex'),
        };
      },
    ],
    [
      'listtransactions',
      ['label', 'count', 'skip', 'include_watchonly'],
      0,
      ([, n, s]) => {
        const count = optInt(n, 10);
        const skip = optInt(s, 0);
        if (count < 0) throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Negative count');
        if (skip < 0) throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Negative from');
        const all: RpcJsonObject[] = [];
        const txs = wallet.walletTxs().sort((x, y) => x.timeReceived - y.timeReceived);
        for (const wtx of txs) {
          const fields = txFields(c, wallet, wtx);
          for (const d of detailEntries(c, wallet, wtx, fields.confirmations as number)) all.push({ ...d, ...fields });
        }
        const end = Math.max(0, all.length - skip);
        return all.slice(Math.max(0, end - count), end);
      },
    ],
    [
      'listunspent',
      ['minconf', 'maxconf', 'addresses', 'include_unsafe', 'query_options'],
      0,
      ([min]) => {
        const minconf = optInt(min, 1);
        const tipHeight = c.chain.height;
        return wallet
          .spendableCoins()
          .map((s) => ({ s, confirmations: s.confirmed ? tipHeight - s.coin.height + 1 : 0 }))
          .filter((x) => x.confirmations >= minconf)
          .map(({ s, confirmations }) => ({
            txid: Buffer.from(s.prevTxid).reverse().toString('hex'),
            vout: s.prevIndex,
            address: s.owner.address,
            scriptPubKey: s.owner.scriptHex,
            amount: btcJson(s.coin.value),
            confirmations,
            spendable: true,
            solvable: true,
            safe: true,
          }));
      },
    ],
    [
      'getwalletinfo',
      [],
      0,
      () => ({
        walletname: 'devnet',
        walletversion: 169900,
        format: 'devnet',
        balance: btcJson(wallet.balance()),
        txcount: wallet.walletTxs().length,
        private_keys_enabled: false,
        descriptors: false,
      }),
    ],
  ];
}

function immatureBalance(c: BitcoinRpcContext, wallet: DevnetWallet): bigint {
  let sum = 0n;
  const next = c.chain.height + 1;
  for (const [, coin] of c.chain.utxo.entries()) {
    if (coin.coinbase && next - coin.height < COINBASE_MATURITY + 1 && wallet.ownerOf(coin.scriptPubKey)) sum += coin.value;
  }
  return sum;
}
