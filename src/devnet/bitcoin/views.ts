/** JSON views of chain objects, shaped like Bitcoin Core's RPC answers (getblock, getblockheader, getblocktemplate). */
import { bitsToTarget } from '../../core/target.js';
import { bigIntToHex64 } from '../../core/bytes.js';
import { serializeTx, txidOf, wtxidOf, type Tx } from '../../chains/bitcoin/tx.js';
import { scriptToAddress, type BitcoinNetwork } from '../../chains/bitcoin/address.js';
import { blockSizes, isCoinbase, serializeBlock, txWeight } from './block.js';
import type { BitcoinDevnetChain, BlockEntry } from './chain.js';
import { JsonNumber, type RpcJson, type RpcJsonObject } from './json.js';
import { btcJson } from './amount.js';
import { selectTransactions } from './assemble.js';
import { BLOCK_VERSION, MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT } from './params.js';
import { kindOfScript } from './keys.js';

const display = (internal: Buffer): string => Buffer.from(internal).reverse().toString('hex');
const bitsHex = (bits: number): string => (bits >>> 0).toString(16).padStart(8, '0');

/** Core's GetDifficulty as JSON text: same double arithmetic, printed like Core's UniValue (%.16g). */
export function difficultyOf(bits: number): JsonNumber {
  return new JsonNumber(formatG16(difficultyValue(bits)));
}

/** C's "%.16g": 16 significant digits, trailing zeros dropped, exponent form below 1e-4 or from 1e16. */
export function formatG16(d: number): string {
  if (d === 0 || !Number.isFinite(d)) return '0';
  const [mant, expText] = d.toExponential(15).split('e') as [string, string];
  const exp = Number(expText);
  const trim = (x: string): string => (x.includes('.') ? x.replace(/0+$/, '').replace(/\.$/, '') : x);
  if (exp < -4 || exp >= 16) return `${trim(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const negative = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let fixed: string;
  if (exp >= 0) fixed = digits.slice(0, exp + 1).padEnd(exp + 1, '0') + '.' + digits.slice(exp + 1);
  else fixed = '0.' + '0'.repeat(-exp - 1) + digits;
  return (negative ? '-' : '') + trim(fixed);
}

function difficultyValue(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    shift++;
  }
  while (shift > 29) {
    diff /= 256.0;
    shift--;
  }
  return diff;
}

export function headerView(chain: BitcoinDevnetChain, e: BlockEntry): RpcJsonObject {
  const h = e.header;
  const next = chain.isOnMainChain(e) ? chain.atHeight(e.height + 1) : undefined;
  return {
    hash: e.hash,
    confirmations: chain.confirmations(e),
    height: e.height,
    version: h.version,
    versionHex: (h.version >>> 0).toString(16).padStart(8, '0'),
    merkleroot: display(h.merkleRoot),
    time: h.time,
    mediantime: e.medianTime,
    nonce: h.nonce >>> 0,
    bits: bitsHex(h.bits),
    target: bigIntToHex64(bitsToTarget(h.bits)),
    difficulty: difficultyOf(h.bits),
    chainwork: bigIntToHex64(e.chainWork),
    nTx: e.block?.txs.length ?? 0,
    previousblockhash: e.prev?.hash,
    nextblockhash: next?.hash,
  };
}

export function scriptPubKeyView(script: Buffer, network: BitcoinNetwork): RpcJsonObject {
  const types: Record<string, string> = {
    p2wpkh: 'witness_v0_keyhash',
    p2pkh: 'pubkeyhash',
    'p2sh-p2wpkh': 'scripthash',
    p2tr: 'witness_v1_taproot',
  };
  let type = types[kindOfScript(script)];
  if (!type) type = script[0] === 0x6a ? 'nulldata' : script.length === 34 && script[0] === 0x00 ? 'witness_v0_scripthash' : 'nonstandard';
  return { hex: script.toString('hex'), address: scriptToAddress(script, network) ?? undefined, type };
}

export function txView(tx: Tx, network: BitcoinNetwork): RpcJsonObject {
  const weight = txWeight(tx);
  const coinbase = isCoinbase(tx);
  return {
    txid: display(txidOf(tx)),
    hash: display(wtxidOf(tx)),
    version: tx.version,
    size: serializeTx(tx, true).length,
    vsize: Math.ceil(weight / 4),
    weight,
    locktime: tx.locktime,
    vin: tx.inputs.map((i) => {
      const witness = i.witness.length > 0 ? i.witness.map((w) => w.toString('hex')) : undefined;
      if (coinbase) return { coinbase: i.scriptSig.toString('hex'), txinwitness: witness, sequence: i.sequence };
      return {
        txid: display(i.prevTxid),
        vout: i.prevIndex,
        scriptSig: { hex: i.scriptSig.toString('hex') },
        txinwitness: witness,
        sequence: i.sequence,
      };
    }),
    vout: tx.outputs.map((o, n) => ({ value: btcJson(o.value), n, scriptPubKey: scriptPubKeyView(o.scriptPubKey, network) })),
    hex: serializeTx(tx, true).toString('hex'),
  };
}

/** getblock verbosity 0 (hex), 1 (txids) or 2 (decoded transactions). */
export function blockView(chain: BitcoinDevnetChain, e: BlockEntry, verbosity: number, network: BitcoinNetwork): RpcJson {
  const block = e.block!;
  if (verbosity <= 0) return serializeBlock(block).toString('hex');
  const sizes = blockSizes(block);
  const cb = block.txs[0]!;
  const head = headerView(chain, e);
  const { nTx, previousblockhash, nextblockhash, ...rest } = head;
  return {
    ...rest,
    nTx,
    previousblockhash,
    nextblockhash,
    strippedsize: sizes.strippedSize,
    size: sizes.size,
    weight: sizes.weight,
    coinbase_tx: {
      version: cb.version,
      locktime: cb.locktime,
      sequence: cb.inputs[0]?.sequence ?? 0,
      coinbase: cb.inputs[0]?.scriptSig.toString('hex') ?? '',
      witness: cb.inputs[0]?.witness[0]?.toString('hex'),
    },
    tx: block.txs.map((tx) => (verbosity >= 2 ? txView(tx, network) : display(txidOf(tx)))),
  };
}

/** Witness sigop cost of the inputs that spend P2WPKH (directly or nested in P2SH): one each. */
function witnessSigOps(tx: Tx, spent: ReadonlyArray<{ scriptPubKey: Buffer }>): number {
  let n = 0;
  tx.inputs.forEach((input, i) => {
    const kind = kindOfScript(spent[i]?.scriptPubKey ?? Buffer.alloc(0));
    if (input.witness.length === 2 && (kind === 'p2wpkh' || kind === 'p2sh-p2wpkh')) n++;
  });
  return n;
}

/** getblocktemplate (BIP22/23 + segwit) for the current tip, in Core's member order. */
export function templateView(chain: BitcoinDevnetChain): RpcJsonObject {
  const sel = selectTransactions(chain);
  const position = new Map<string, number>();
  sel.entries.forEach((e, i) => {
    position.set(e.txid.toString('hex'), i + 1);
  });
  const bits = parseInt(sel.bits, 16);
  return {
    capabilities: ['proposal'],
    version: BLOCK_VERSION,
    rules: ['csv', '!segwit', 'taproot'],
    vbavailable: {},
    vbrequired: 0,
    previousblockhash: chain.tip.hash,
    transactions: sel.entries.map((e) => {
      const depends = [...new Set(e.tx.inputs.map((i) => position.get(i.prevTxid.toString('hex'))))].filter((x): x is number => x !== undefined);
      return {
        data: serializeTx(e.tx, true).toString('hex'),
        txid: display(e.txid),
        hash: display(e.wtxid),
        depends: depends.sort((a, b) => a - b),
        fee: Number(e.fee),
        sigops: e.sigops * 4 + witnessSigOps(e.tx, e.spentCoins),
        weight: e.weight,
      };
    }),
    coinbaseaux: {},
    coinbasevalue: Number(sel.coinbaseValue),
    longpollid: chain.longPollId,
    target: bigIntToHex64(bitsToTarget(bits)),
    mintime: sel.minTime,
    mutable: ['time', 'transactions', 'prevblock'],
    noncerange: '00000000ffffffff',
    sigoplimit: MAX_BLOCK_SIGOPS_COST,
    sizelimit: MAX_BLOCK_WEIGHT,
    weightlimit: MAX_BLOCK_WEIGHT,
    curtime: sel.curTime,
    bits: sel.bits,
    height: sel.height,
    default_witness_commitment: sel.witnessCommitment.toString('hex'),
  };
}
