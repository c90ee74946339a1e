/** The Bitcoin Core blockchain/mining/util RPC subset a pool uses, answered from the devnet chain. */
import { BlockDecodeError, BlockNotFoundError, type BitcoinDevnetChain, type BlockEntry } from './chain.js';
import { parseTxStrict } from './block.js';
import { addressToScript, scriptToAddress, type BitcoinNetwork } from '../../chains/bitcoin/address.js';
import { hexToBuf, isHex } from '../../core/bytes.js';
import type { RpcJson, RpcJsonObject } from './json.js';
import { RpcMethodError, type RpcCallContext, type RpcMethod } from './rpc-server.js';
import { hash, int, obj, optBool, optInt, str, RPC_DESERIALIZATION_ERROR, RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER } from './rpc-params.js';
import { blockView, difficultyOf, headerView, templateView, txView } from './views.js';
import { bigIntToHex64 } from '../../core/bytes.js';
import { bitsToTarget } from '../../core/target.js';
import { expectedBits } from './params.js';
import { btcJson } from './amount.js';

export interface BitcoinRpcContext {
  chain: BitcoinDevnetChain;
  network: BitcoinNetwork;
  /** How long a getblocktemplate long poll waits for a change before answering anyway. */
  longPollTimeoutMs: number;
  /** Mines `count` blocks paying `script` on top of the tip; resolves with their hashes. */
  generate(count: number, script: Buffer, signal: AbortSignal): Promise<string[]>;
  startedAt: number;
}

export const SEGWIT_RULE_MESSAGE = 'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})';

export type MethodDef = [name: string, args: string[], required: number, handler: RpcMethod['handler']];

function entry(c: BitcoinRpcContext, h: string): BlockEntry {
  const e = c.chain.get(h);
  if (!e) throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, 'Block not found');
  return e;
}

export function validateAddressView(address: string, network: BitcoinNetwork): RpcJsonObject {
  let script: Buffer;
  try {
    script = addressToScript(address, network);
  } catch (err) {
    return { isvalid: false, error_locations: [], error: err instanceof Error ? err.message : String(err) };
  }
  const isWitness = script[0] === 0x00 || (script[0]! >= 0x51 && script[0]! <= 0x60 && script.length === script[1]! + 2);
  const view: RpcJsonObject = {
    isvalid: true,
    address: scriptToAddress(script, network) ?? address,
    scriptPubKey: script.toString('hex'),
    isscript: script[0] === 0xa9 || (isWitness && script.length === 34),
    iswitness: isWitness,
  };
  if (isWitness) {
    view.witness_version = script[0] === 0x00 ? 0 : script[0]! - 0x50;
    view.witness_program = script.subarray(2).toString('hex');
  }
  return view;
}

export function chainMethods(c: BitcoinRpcContext): MethodDef[] {
  const chain = c.chain;
  return [
    ['getbestblockhash', [], 0, () => chain.tip.hash],
    ['getblockcount', [], 0, () => chain.height],
    [
      'getblockhash',
      ['height'],
      1,
      ([h]) => {
        const e = chain.atHeight(int(h));
        if (!e) throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Block height out of range');
        return e.hash;
      },
    ],
    [
      'getblock',
      ['blockhash', 'verbosity'],
      1,
      ([h, v]) => {
        const e = entry(c, hash(h, 'blockhash'));
        const verbosity = typeof v === 'boolean' ? (v ? 1 : 0) : optInt(v, 1);
        if (!e.block) throw new RpcMethodError(-1, 'Block not available (not fully downloaded)');
        return blockView(chain, e, verbosity, c.network);
      },
    ],
    [
      'getblockheader',
      ['blockhash', 'verbose'],
      1,
      ([h, v]) => {
        const e = entry(c, hash(h, 'blockhash'));
        if (optBool(v, true)) return headerView(chain, e);
        const hd = e.header;
        const raw = Buffer.concat([Buffer.alloc(4), hd.prevHash, hd.merkleRoot, Buffer.alloc(12)]);
        raw.writeUInt32LE(hd.version >>> 0, 0);
        raw.writeUInt32LE(hd.time, 68);
        raw.writeUInt32LE(hd.bits >>> 0, 72);
        raw.writeUInt32LE(hd.nonce >>> 0, 76);
        return raw.toString('hex');
      },
    ],
    [
      'getblockchaininfo',
      [],
      0,
      () => {
        const tip = chain.tip;
        return {
          chain: 'regtest',
          blocks: tip.height,
          headers: tip.height,
          bestblockhash: tip.hash,
          bits: tip.header.bits.toString(16).padStart(8, '0'),
          target: bigIntToHex64(bitsToTarget(tip.header.bits)),
          difficulty: difficultyOf(tip.header.bits),
          time: tip.header.time,
          mediantime: tip.medianTime,
          verificationprogress: 1,
          initialblockdownload: false,
          chainwork: bigIntToHex64(tip.chainWork),
          size_on_disk: 0,
          pruned: false,
          warnings: [],
        };
      },
    ],
    [
      'getmininginfo',
      [],
      0,
      () => {
        const nextBits = expectedBits(chain.params, chain.height + 1);
        const n = parseInt(nextBits, 16);
        return {
          blocks: chain.height,
          bits: nextBits,
          difficulty: difficultyOf(n),
          target: bigIntToHex64(bitsToTarget(n)),
          networkhashps: 0,
          pooledtx: chain.mempool.size,
          chain: 'regtest',
          next: { height: chain.height + 1, bits: nextBits, difficulty: difficultyOf(n), target: bigIntToHex64(bitsToTarget(n)) },
          warnings: [],
        };
      },
    ],
    ['getdifficulty', [], 0, () => difficultyOf(chain.tip.header.bits)],
    [
      'getnetworkinfo',
      [],
      0,
      () => ({
        version: 310000,
        subversion: '/gxc-pool-devnet:0.1.0/',
        protocolversion: 70016,
        localservices: '0000000000000c09',
        localservicesnames: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2'],
        localrelay: true,
        timeoffset: 0,
        networkactive: true,
        connections: 0,
        connections_in: 0,
        connections_out: 0,
        networks: [],
        relayfee: btcJson(1000n),
        incrementalfee: btcJson(1000n),
        localaddresses: [],
        warnings: [],
      }),
    ],
    ['uptime', [], 0, () => Math.floor((Date.now() - c.startedAt) / 1000)],
    ['ping', [], 0, () => null],
    [
      'getrawmempool',
      ['verbose'],
      0,
      ([v]) => {
        const list = chain.mempool.list();
        const ids = list.map((e) => Buffer.from(e.txid).reverse().toString('hex'));
        if (!optBool(v, false)) return ids;
        const out: RpcJsonObject = {};
        list.forEach((e, i) => {
          out[ids[i]!] = {
            vsize: Math.ceil(e.weight / 4),
            weight: e.weight,
            time: e.time,
            fees: { base: btcJson(e.fee) },
            wtxid: Buffer.from(e.wtxid).reverse().toString('hex'),
          };
        });
        return out;
      },
    ],
    [
      'getmempoolinfo',
      [],
      0,
      () => ({ loaded: true, size: chain.mempool.size, bytes: chain.mempool.list().reduce((s, e) => s + Math.ceil(e.weight / 4), 0) }),
    ],
    [
      'getrawtransaction',
      ['txid', 'verbose', 'blockhash'],
      1,
      ([t, v]) => {
        const found = chain.findTransaction(hash(t, 'parameter 1'));
        if (!found) {
          throw new RpcMethodError(
            RPC_INVALID_ADDRESS_OR_KEY,
            'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
          );
        }
        const verbose = typeof v === 'boolean' ? v : optInt(v, 0) > 0;
        const view = txView(found.tx, c.network);
        if (!verbose) return view.hex as string;
        if (found.entry)
          Object.assign(view, {
            blockhash: found.entry.hash,
            confirmations: Math.max(0, chain.confirmations(found.entry)),
            time: found.entry.header.time,
          });
        return view;
      },
    ],
    [
      'sendrawtransaction',
      ['hexstring', 'maxfeerate'],
      1,
      ([h]) => {
        const hex = str(h);
        let tx: ReturnType<typeof parseTxStrict>['tx'];
        try {
          if (!isHex(hex)) throw new Error('not hex');
          const raw = hexToBuf(hex);
          const parsed = parseTxStrict(raw, 0);
          if (parsed.size !== raw.length) throw new Error('trailing bytes');
          tx = parsed.tx;
        } catch {
          throw new RpcMethodError(RPC_DESERIALIZATION_ERROR, 'TX decode failed. Make sure the tx has at least one input.');
        }
        const reason = chain.acceptToMempool(tx);
        if (reason) throw new RpcMethodError(reason === 'bad-txns-inputs-missingorspent' ? -25 : -26, reason);
        return txView(tx, c.network).txid as string;
      },
    ],
    [
      'getblocktemplate',
      ['template_request'],
      1,
      async ([r], ctx: RpcCallContext) => {
        const req = obj(r);
        const mode = req.mode === undefined ? 'template' : str(req.mode);
        if (mode === 'proposal') {
          if (typeof req.data !== 'string') throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Missing data String key for proposal');
          return decoding(() => chain.proposeBlock(req.data as string));
        }
        if (mode !== 'template') throw new RpcMethodError(RPC_INVALID_PARAMETER, 'Invalid mode');
        const rules = Array.isArray(req.rules) ? req.rules : [];
        if (!rules.includes('segwit')) throw new RpcMethodError(RPC_INVALID_PARAMETER, SEGWIT_RULE_MESSAGE);
        if (req.longpollid !== undefined) {
          await chain.waitForChange(str(req.longpollid), c.longPollTimeoutMs, ctx.signal);
        }
        return templateView(chain);
      },
    ],
    [
      'submitblock',
      ['hexdata', 'dummy'],
      1,
      ([h]) => {
        const hex = str(h);
        return decoding(() => chain.submitBlock(hex));
      },
    ],
    ['validateaddress', ['address'], 1, ([a]) => validateAddressView(str(a), c.network)],
    [
      'invalidateblock',
      ['blockhash'],
      1,
      ([h]) => {
        const e = entry(c, hash(h, 'blockhash'));
        if (e === chain.genesis) throw new RpcMethodError(-1, 'Cannot invalidate the genesis block');
        chain.invalidateBlock(e.hash);
        return null;
      },
    ],
    [
      'reconsiderblock',
      ['blockhash'],
      1,
      ([h]) => {
        chain.reconsiderBlock(entry(c, hash(h, 'blockhash')).hash);
        return null;
      },
    ],
    [
      'generatetoaddress',
      ['nblocks', 'address', 'maxtries'],
      2,
      async ([n, a], ctx: RpcCallContext) => {
        const count = int(n);
        if (count < 0) throw new RpcMethodError(RPC_INVALID_PARAMETER, 'nblocks must be non-negative');
        let script: Buffer;
        try {
          script = addressToScript(str(a), c.network);
        } catch {
          throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, 'Error: Invalid address');
        }
        return c.generate(count, script, ctx.signal);
      },
    ],
  ];
}

/** Runs a block decode + validation step, mapping undecodable input to Core's -22 "Block decode failed". */
function decoding(run: () => string | null): RpcJson {
  try {
    return run();
  } catch (err) {
    if (err instanceof BlockDecodeError) throw new RpcMethodError(RPC_DESERIALIZATION_ERROR, 'Block decode failed');
    if (err instanceof BlockNotFoundError) throw new RpcMethodError(RPC_INVALID_ADDRESS_OR_KEY, 'Block not found');
    throw err;
  }
}
