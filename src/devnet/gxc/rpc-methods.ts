/**
 * The node's JSON-RPC methods over the devnet chain, with the node's answers and error texts. Additive devnet
 * methods (not on the real node): invalidateblock, generatetoaddress, getrawmempool. listtransactions exists in
 * the node's current public source (not in every build): `[ADDRESS, COUNT=10, SKIP=0]`, mined transactions only.
 */
import { gxcAmountToUnits } from '../../chains/gxc/amounts.js';
import { isNodeValidGxcAddress } from '../../chains/gxc/address.js';
import type { GxcDevnetChain } from './chain.js';
import { minedTxJson, gxc } from './json-views.js';
import { dbl, type NJson } from './nlohmann-json.js';
import { asNumber, asString, isObject, NodeRpcFailure, RPC_INVALID_PARAMETER, type NObject } from './node-values.js';

/** A node method; submitblock answers asynchronously (an Ethash block is hashed off the event loop). */
export type RpcMethod = (params: NJson[]) => NJson | Promise<NJson>;

export function gxcNodeMethods(chain: GxcDevnetChain): Map<string, RpcMethod> {
  const m = new Map<string, RpcMethod>();
  const alias = (names: string[], fn: RpcMethod): void =>
    names.forEach((n) => {
      m.set(n, fn);
    });
  const need = (params: NJson[], n: number, what: string): void => {
    if (params.length < n) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, `Missing ${what} parameter`);
  };

  alias(['getblockcount'], () => chain.count);
  alias(['getbestblockhash'], () => chain.tip.hash);
  alias(['getdifficulty'], () => dbl(chain.difficulty));
  alias(['getnetworkhashps'], () => dbl(chain.networkHashPs()));
  alias(['getmininginfo'], () => ({
    blocks: chain.count,
    currentblocksize: 1000,
    currentblocktx: 1,
    difficulty: dbl(chain.difficulty),
    generate: false,
    genproclimit: 1,
    hashespersec: 0,
    networkhashps: dbl(chain.networkHashPs()),
    pooledtx: chain.mempool.size,
    testnet: chain.network === 'testnet',
  }));
  alias(['getblockchaininfo'], () => ({
    bestblockhash: chain.tip.hash,
    block_reward: gxc(chain.subsidyUnits(chain.count)),
    blocks: chain.count,
    chain: chain.network === 'testnet' ? 'test' : 'main',
    chainwork: '0'.repeat(64),
    difficulty: dbl(chain.difficulty),
    height: chain.count,
    initialblockdownload: false,
    mediantime: chain.now(),
    pruned: false,
    reward: gxc(chain.subsidyUnits(chain.count)),
    size_on_disk: 0,
    verificationprogress: dbl(1),
  }));

  const getBlock: RpcMethod = (params) => {
    need(params, 1, 'block hash/height');
    const ref = params[0];
    let block: ReturnType<typeof chain.findBlock>;
    if (typeof ref === 'string') {
      if (ref === 'latest' || ref === 'best' || ref === '-1') block = chain.tip;
      else block = chain.findBlock(ref) ?? (/^\d+$/.test(ref) ? chain.findBlock(Number(ref)) : undefined);
    } else if (typeof ref === 'number' || typeof ref === 'bigint') {
      const h = Number(ref);
      block = h === -1 ? chain.tip : Number.isSafeInteger(h) && h >= 0 ? chain.findBlock(h) : undefined;
    } else throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Invalid block parameter type');
    if (!block) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Block not found');
    return chain.blockJson(block);
  };
  alias(['getblock', 'getblockbynumber', 'gxc_getBlockByNumber'], getBlock);
  alias(['getlatestblock', 'gxc_getLatestBlock'], () => getBlock(['latest']));
  alias(['getblockhash'], (params) => {
    need(params, 1, 'block height');
    const h = asNumber(params[0]);
    if (!(h >= 0) || h >= chain.count) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Block height out of range');
    return chain.blocks[Math.floor(h)]!.hash;
  });

  alias(['getblocktemplate', 'gxc_getBlockTemplate'], (params) => {
    const opts = params[0];
    let address = chain.walletAddresses[0]!;
    if (isObject(opts)) {
      const given = opts.minerAddress ?? opts.miner_address ?? opts.address;
      if (given !== undefined) address = asString(given);
    }
    if (!isNodeValidGxcAddress(address)) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, `Invalid miner address: ${address}`);
    return chain.template(address);
  });
  alias(['submitblock', 'gxc_submitBlock'], async (params) => {
    await chain.submit(params);
    return null;
  });

  alias(['getnewaddress'], () => chain.walletAddresses[0]!);
  alias(['validateaddress'], (params): NObject => {
    need(params, 1, 'address');
    const address = asString(params[0]);
    if (!isNodeValidGxcAddress(address)) return { isvalid: false };
    return { address, ismine: chain.walletAddresses.includes(address), isscript: false, isvalid: true, iswatchonly: false };
  });
  alias(['getbalance', 'gxc_getBalance', 'getaddressbalance'], (params) => {
    const address = params.length > 0 ? asString(params[0]) : '';
    if (!address) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Missing address parameter');
    return gxc(chain.balanceUnits(address));
  });
  alias(['sendtoaddress', 'gxc_sendToAddress'], (params) => {
    if (params.length < 2) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Missing address or amount parameter');
    const to = asString(params[0]);
    const raw = params[1];
    // The node takes a number or a numeric string (std::stod reads a leading number).
    let amount = NaN;
    if (typeof raw === 'string') amount = Number.parseFloat(raw);
    else if (typeof raw === 'number' || typeof raw === 'bigint') amount = asNumber(raw);
    if (!Number.isFinite(amount)) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Invalid amount type or format');
    if (amount <= 0) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Invalid amount: must be positive');
    const units = typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? gxcAmountToUnits(raw.trim()) : gxcAmountToUnits(amount);
    const from = params.length > 2 && params[2] !== null ? asString(params[2]) : undefined;
    return chain.sendToAddress(to, units, from);
  });
  alias(['gettransaction', 'gxc_getTransaction', 'gettx'], (params) => {
    need(params, 1, 'transaction hash');
    const found = chain.findMinedTx(asString(params[0]));
    if (!found) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Transaction not found');
    const json: NObject = minedTxJson(found.tx, found.block);
    json.confirmations = chain.count - found.block.height;
    json.blockindex = found.block.height;
    json.blocktime = found.tx.timestamp;
    json.timereceived = found.tx.timestamp;
    json.hex = '';
    json.details = [];
    return json;
  });
  alias(['listtransactions'], (params) => {
    const address = params.length > 0 ? asString(params[0]) : '';
    const count = params.length > 1 ? asNumber(params[1]) : 10;
    const skip = params.length > 2 ? asNumber(params[2]) : 0;
    const all: NObject[] = [];
    for (let h = chain.blocks.length - 1; h >= 0; h--) {
      const block = chain.blocks[h]!;
      for (const tx of block.txs) {
        const involved = tx.outputs.some((o) => o.address === address) || tx.from === address || (tx.coinbase && tx.to === address);
        if (!involved) continue;
        const json = minedTxJson(tx, block);
        json.confirmations = chain.count - h;
        json.category = tx.coinbase ? 'generate' : tx.from === address ? 'send' : 'receive';
        all.push(json);
      }
    }
    return all.slice(skip, skip + count);
  });
  alias(['getrawmempool'], () => [...chain.mempool.keys()]);
  alias(['invalidateblock'], (params) => {
    need(params, 1, 'block hash');
    chain.invalidateBlock(asString(params[0]));
    return null;
  });
  alias(['generatetoaddress'], (params) => {
    need(params, 1, 'block count');
    const n = asNumber(params[0]);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Block count must be 1-1000');
    return chain.generate(n, params.length > 1 ? asString(params[1]) : undefined);
  });
  return m;
}
