/**
 * The node's JSON shapes, field for field as the recorded transcript shows them: the template's coinbase and
 * mempool transactions, `getblock` blocks and their transactions. Doubles are wrapped (dbl) so they dump as the
 * node writes them ("50.0").
 */
import { dbl, type NJson } from './nlohmann-json.js';
import { p2pkhScript, UNITS, type DevTx } from './ledger.js';

export const HARDCODED_BITS = '1d00ffff';
export const HARDCODED_TARGET = '00000000ffff0000000000000000000000000000000000000000000000000000';

export const gxc = (units: bigint): NJson => dbl(Number(units) / Number(UNITS));

export interface DevBlock {
  height: number;
  hash: string;
  previousblockhash: string;
  timestamp: number;
  nonce: bigint;
  difficulty: number;
  miner: string;
  merkleroot: string;
  txs: DevTx[];
  subsidyUnits: bigint;
  /** "pow_sha256", "pow_ethash" or "pos". */
  consensus: string;
  /** The bridge proof the pool sent (devnet extension, shown by getblock). */
  poolHeader?: string;
  poolCoinbase?: string;
  /** The Ethash bridge proof (pow_ethash blocks). */
  poolHeaderHash?: string;
  poolMixDigest?: string;
}

function outputsJson(tx: DevTx, withValue: boolean): NJson[] {
  return tx.outputs.map((o) => {
    const out: { [key: string]: NJson } = { address: o.address, amount: gxc(o.units), script: p2pkhScript(o.address) };
    if (withValue) out.value = gxc(o.units);
    return out;
  });
}

function inputsJson(tx: DevTx): NJson[] {
  return tx.inputs.map((i) => ({ amount: gxc(i.units), outputIndex: i.outputIndex, publicKey: '', signature: '', txHash: i.txHash }));
}

const totalOut = (tx: DevTx): bigint => tx.outputs.reduce((a, o) => a + o.units, 0n);

/** A transaction as getblocktemplate lists it (the coinbase exactly as in the transcript). */
export function templateTxJson(tx: DevTx, height: number): { [key: string]: NJson } {
  if (tx.coinbase) {
    return {
      amount: gxc(totalOut(tx)),
      blockHeight: height,
      block_height: height,
      coinbase: true,
      fee: dbl(0),
      from: '',
      hash: tx.txid,
      inputs: [],
      is_coinbase: true,
      outputs: outputsJson(tx, false),
      timestamp: tx.timestamp,
      to: tx.to,
      txid: tx.txid,
      type: 'COINBASE',
    };
  }
  return {
    amount: gxc(totalOut(tx)),
    coinbase: false,
    fee: gxc(tx.feeUnits),
    from: tx.from,
    hash: tx.txid,
    inputs: inputsJson(tx),
    is_coinbase: false,
    outputs: outputsJson(tx, false),
    prevTxHash: tx.inputs[0]?.txHash ?? '',
    referencedAmount: gxc(tx.inputs[0]?.units ?? 0n),
    timestamp: tx.timestamp,
    to: tx.to,
    txid: tx.txid,
    type: 'NORMAL',
  };
}

/** A transaction as getblock / gettransaction / listtransactions show it. */
export function minedTxJson(tx: DevTx, block: DevBlock): { [key: string]: NJson } {
  const kind = tx.coinbase ? 'coinbase' : 'transfer';
  return {
    amount: gxc(totalOut(tx)),
    blockhash: block.hash,
    blockheight: block.height,
    coinbase: tx.coinbase,
    contractAddress: '',
    contract_address: '',
    fee: gxc(tx.feeUnits),
    from: tx.coinbase ? 'coinbase' : tx.from,
    goldBacked: false,
    hash: tx.txid,
    inputs: inputsJson(tx),
    locktime: 0,
    memo: '',
    outputs: outputsJson(tx, true),
    popreference: '',
    prevtxhash: tx.coinbase ? '0' : (tx.inputs[0]?.txHash ?? ''),
    referencedamount: gxc(tx.coinbase ? 0n : (tx.inputs[0]?.units ?? 0n)),
    signature: '',
    time: tx.timestamp,
    to: tx.to,
    traceabilityvalid: true,
    transaction_type: kind,
    tx_type: kind,
    txid: tx.txid,
    type: kind,
    vin: inputsJson(tx),
    vout: outputsJson(tx, true),
  };
}

export function blockJson(block: DevBlock, confirmations: number, chainwork: number): { [key: string]: NJson } {
  const out: { [key: string]: NJson } = {
    bits: HARDCODED_BITS,
    chainwork: dbl(chainwork),
    confirmations,
    consensustype: block.consensus,
    difficulty: dbl(block.difficulty),
    feeburnrate: dbl(0),
    gas_limit: 0,
    gas_used: 0,
    hash: block.hash,
    height: block.height,
    merkleroot: block.merkleroot,
    miner: block.miner,
    nTx: block.txs.length,
    nonce: block.nonce,
    popreference: '',
    previousblockhash: block.previousblockhash,
    reward: gxc(block.subsidyUnits),
    // The node's own estimate: 64 + 64 + 8 + 8 + 256 per transaction.
    size: 144 + 256 * block.txs.length,
    time: block.timestamp,
    tx: block.txs.map((tx) => minedTxJson(tx, block)),
    validatorsignature: '',
    version: 1,
  };
  if (block.poolHeader) out.pool_header = block.poolHeader;
  if (block.poolCoinbase) out.pool_coinbase = block.poolCoinbase;
  if (block.poolHeaderHash) out.pool_header_hash = block.poolHeaderHash;
  if (block.poolMixDigest) out.pool_mix_digest = block.poolMixDigest;
  return out;
}
