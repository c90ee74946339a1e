/**
 * Wires the Bitcoin-flavoured devnet together: chain + wallet, optional persistence, the maturity bootstrap
 * (blocks mined at once at the pow limit), background transactions, and the Core-compatible RPC server.
 */
import { addressToScript } from '../../chains/bitcoin/address.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { BitcoinDevnetChain } from './chain.js';
import { DevnetWallet } from './wallet.js';
import { mineOneBlock } from './assemble.js';
import { topUpMempool } from './autotx.js';
import { readState, restoreState, saveState } from './persist.js';
import { startJsonRpcServer, RpcMethodError, type RpcMethod } from './rpc-server.js';
import { chainMethods, type BitcoinRpcContext, type MethodDef } from './rpc-chain-methods.js';
import { walletMethods } from './rpc-wallet-methods.js';

export interface BitcoinDevnetOptions {
  host?: string;
  port?: number;
  /** Compact bits above the bootstrap height (default 1e035000 ≈ 5 M hashes per block). */
  bits?: string;
  /** Blocks mined at start at the pow limit (default 110, so coinbases are mature). */
  bootstrapHeight?: number;
  /** Where the chain is saved (devnet-bitcoin.json); in memory only when absent. */
  dataDir?: string;
  /** Addresses the wallet owns and can spend (the pool's payout address). */
  walletAddresses?: string[];
  logger?: Logger;
  rpcUser?: string;
  rpcPassword?: string;
  /** Background transactions kept in the mempool (default 3; 0 turns them off). */
  autoTransactions?: number;
  /** getblocktemplate long-poll wait before answering anyway (default 30 s). */
  longPollTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Clock in unix seconds (tests). */
  now?: () => number;
}

export interface BitcoinDevnet {
  url: string;
  port: number;
  chain: BitcoinDevnetChain;
  wallet: DevnetWallet;
  /** Mines blocks on the devnet itself (to the devnet's own addresses unless a script is given). */
  generate(count: number, payoutScript?: Buffer): Promise<string[]>;
  /** Writes the state file now (no-op without a data dir). */
  save(): Promise<void>;
  stop(): Promise<void>;
}

const SAVE_INTERVAL_MS = 2_000;

export async function startBitcoinDevnet(opts: BitcoinDevnetOptions = {}): Promise<BitcoinDevnet> {
  const log = opts.logger ?? silentLogger;
  const chain = new BitcoinDevnetChain({ bits: opts.bits, bootstrapHeight: opts.bootstrapHeight, now: opts.now });
  const wallet = new DevnetWallet(chain, 'regtest');
  const stopping = new AbortController();

  if (opts.dataDir) {
    const state = await readState(opts.dataDir);
    if (state) {
      restoreState(state, chain, wallet);
      log.info({ height: chain.height, tip: chain.tip.hash }, 'devnet: chain restored from data dir');
    }
  }
  for (const address of opts.walletAddresses ?? []) {
    try {
      addressToScript(address, 'regtest');
    } catch (err) {
      throw new Error(`devnet wallet address ${address} is not a valid regtest address: ${(err as Error).message}`);
    }
    wallet.importAddress(address, 'pool');
  }

  async function generate(count: number, payoutScript?: Buffer, signal: AbortSignal = stopping.signal): Promise<string[]> {
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) {
      for (let attempt = 0; ; attempt++) {
        const mined = await mineOneBlock(chain, payoutScript ?? wallet.miningScript(), signal);
        if (!mined) throw new RpcMethodError(-1, 'block generation aborted');
        if (mined.answer === null) {
          hashes.push(mined.hash);
          // Easy blocks are found within one grinding slice: yield so RPC and the pool keep running meanwhile.
          await new Promise<void>((resolve) => setImmediate(resolve));
          break;
        }
        // The tip moved while grinding ('inconclusive'): build on the new tip.
        if (mined.answer !== 'inconclusive' || attempt >= 10) throw new Error(`devnet mined a block it refuses: ${mined.answer}`);
      }
    }
    return hashes;
  }

  if (chain.height < chain.params.bootstrapHeight) {
    const n = chain.params.bootstrapHeight - chain.height;
    await generate(n);
    log.info({ blocks: n, height: chain.height }, 'devnet: bootstrap blocks mined');
  }

  const autoTxs = opts.autoTransactions ?? 3;
  let topUpScheduled = false;
  const scheduleTopUp = (): void => {
    if (autoTxs <= 0 || topUpScheduled || stopping.signal.aborted) return;
    topUpScheduled = true;
    setImmediate(() => {
      topUpScheduled = false;
      if (!stopping.signal.aborted) topUpMempool(chain, wallet, autoTxs, log);
    });
  };
  chain.addListener({ blockConnected: scheduleTopUp });
  if (autoTxs > 0) topUpMempool(chain, wallet, autoTxs, log);

  const ctx: BitcoinRpcContext = {
    chain,
    network: 'regtest',
    longPollTimeoutMs: opts.longPollTimeoutMs ?? 30_000,
    generate: (count, script, signal) => generate(count, script, signal),
    startedAt: Date.now(),
  };
  const server = await startJsonRpcServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    methods: methodTable([...chainMethods(ctx), ...walletMethods(ctx, wallet)]),
    rpcUser: opts.rpcUser,
    rpcPassword: opts.rpcPassword,
    maxBodyBytes: opts.maxBodyBytes,
    logger: log,
  });

  let lastSavedKey = '';
  const stateKey = (): string => `${chain.longPollId}|${chain.allEntries().length}|${wallet.ownedScripts().length}|${wallet.walletTxs().length}`;
  const save = async (): Promise<void> => {
    if (!opts.dataDir) return;
    lastSavedKey = stateKey();
    await saveState(opts.dataDir, chain, wallet);
  };
  let saving = Promise.resolve();
  const timer = opts.dataDir
    ? setInterval(() => {
        if (stateKey() === lastSavedKey) return;
        saving = saving.then(save).catch((err: unknown) => log.error({ err }, 'devnet: saving the chain failed'));
      }, SAVE_INTERVAL_MS)
    : null;
  timer?.unref();
  await save();

  log.info(
    { url: server.url, height: chain.height, bits: chain.params.bits, bootstrapHeight: chain.params.bootstrapHeight },
    'devnet (bitcoin) ready',
  );
  return {
    url: server.url,
    port: server.port,
    chain,
    wallet,
    generate: (count, script) => generate(count, script),
    save,
    async stop() {
      stopping.abort();
      if (timer) clearInterval(timer);
      await server.close();
      await saving;
      await save();
    },
  };
}

const HELP_FIRST_LINES: Record<string, string> = {
  getblocktemplate: 'getblocktemplate {"mode":"str","capabilities":["str",...],"rules":["segwit","str",...],"longpollid":"str","data":"hex"}',
  submitblock: 'submitblock "hexdata" ( "dummy" )',
};

function methodTable(defs: MethodDef[]): Map<string, RpcMethod> {
  const table = new Map<string, RpcMethod>();
  for (const [name, args, required, handler] of defs) {
    const signature = args.map((a, i) => (i < required ? `"${a}"` : `( "${a}" )`)).join(' ');
    const help = `${HELP_FIRST_LINES[name] ?? `${name} ${signature}`.trim()}\n\n(devnet: see Bitcoin Core's help for ${name})`;
    table.set(name, { args, required, help, handler });
  }
  return table;
}
