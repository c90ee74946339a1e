/**
 * The embedded development chain `npm start` mines on when no node is configured. One flavour per node dialect;
 * each keeps its chain logic (src/devnet/<flavour>/) apart from the RPC server it speaks through.
 */
import type { Logger } from '../log/logger.js';
import { difficultyToTarget, targetToBits } from '../core/target.js';
import { startBitcoinDevnet } from './bitcoin/devnet.js';
import { startGxcDevnet } from './gxc/index.js';
import type { BitcoinDevnetChain } from './bitcoin/chain.js';

export { BitcoinDevnetChain, BlockNotFoundError, type BlockEntry, type ChainOptions } from './bitcoin/chain.js';
export { DevnetWallet, WalletError } from './bitcoin/wallet.js';
export { startBitcoinDevnet, type BitcoinDevnet, type BitcoinDevnetOptions } from './bitcoin/devnet.js';
export { startJsonRpcServer, RpcMethodError, type RpcMethod, type JsonRpcServer } from './bitcoin/rpc-server.js';
export { DEFAULT_BITS, POW_LIMIT_BITS, DEFAULT_BOOTSTRAP_HEIGHT } from './bitcoin/params.js';

export interface DevnetOptions {
  flavor?: 'bitcoin';
  host?: string;
  port?: number;
  bits?: string;
  dataDir?: string;
  walletAddresses?: string[];
  logger?: Logger;
  rpcUser?: string;
  rpcPassword?: string;
  /** Bitcoin flavour extras (tests): bootstrap height, background transactions, long-poll wait, clock. */
  bootstrapHeight?: number;
  autoTransactions?: number;
  longPollTimeoutMs?: number;
  now?: () => number;
}

export interface RunningDevnet {
  url: string;
  port: number;
  stop(): Promise<void>;
  chain: BitcoinDevnetChain;
}

export async function startDevnet(opts: DevnetOptions = {}): Promise<RunningDevnet> {
  const flavor = opts.flavor ?? 'bitcoin';
  if (flavor !== 'bitcoin') throw new Error(`unknown devnet flavour ${String(flavor)}`);
  const { flavor: _flavor, ...rest } = opts;
  const devnet = await startBitcoinDevnet(rest);
  return { url: devnet.url, port: devnet.port, chain: devnet.chain, stop: () => devnet.stop() };
}

/**
 * Starts the devnet of either dialect (the CLI's entry). `difficulty` is in the flavour's own unit: Bitcoin
 * difficulty (diff1/target, turned into compact bits) or GXC difficulty (leading hex zeros of the hash).
 */
export async function startAnyDevnet(
  opts: Omit<DevnetOptions, 'flavor'> & { flavor: 'bitcoin' | 'gxc'; difficulty?: number },
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const { flavor, difficulty, ...rest } = opts;
  if (flavor === 'gxc') {
    return startGxcDevnet({
      host: rest.host,
      port: rest.port,
      dataDir: rest.dataDir,
      walletAddresses: rest.walletAddresses,
      logger: rest.logger,
      ...(difficulty !== undefined ? { difficulty } : {}),
    });
  }
  const bits = difficulty !== undefined ? targetToBits(difficultyToTarget(difficulty)) : rest.bits;
  return startDevnet({ ...rest, ...(bits !== undefined ? { bits } : {}), flavor: 'bitcoin' });
}
