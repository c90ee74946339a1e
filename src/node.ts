/**
 * Connects to the configured node — or starts the embedded devnet when none is configured — and picks the chain
 * adapter: forced by --chain, or detected from the node's template answer ("standard first, GXC second").
 */
import path from 'node:path';
import { createBitcoinAdapter } from './chains/bitcoin/adapter.js';
import type { BitcoinNetwork } from './chains/bitcoin/address.js';
import { createGxcAdapter, detectChainFlavor } from './chains/gxc/adapter.js';
import type { ChainAdapter, ChainKind } from './chains/types.js';
import type { Config } from './config/schema.js';
import type { Logger } from './log/logger.js';
import { createRpcClient } from './rpc/client.js';
import type { RpcClient } from './rpc/types.js';

export interface NodeConnection {
  chain: ChainAdapter;
  /** For the startup line: "devnet gxc at http://127.0.0.1:PORT" or the node URL without password. */
  description: string;
  isDevnet: boolean;
  /** The devnet's RPC URL when running one. */
  devnetUrl: string | null;
  /** Where block rewards go (and the default fee address). */
  poolAddress: string;
  stop(): Promise<void>;
}

/** The GXC node reads one recv() of at most 8192 bytes: keep every request below it, headers included. */
export const GXC_MAX_REQUEST_BYTES = 7900;

function rpcFor(kind: ChainKind, url: string, cfg: Config, logger: Logger): RpcClient {
  return createRpcClient({
    url,
    jsonrpc: kind === 'gxc' ? '2.0' : '1.0',
    timeoutMs: cfg.node.timeoutMs,
    retries: 2,
    // Short backoff: the tip is polled every few hundred ms anyway, and mining must resume quickly when the node returns.
    retryDelayMs: 100,
    maxRequestBytes: kind === 'gxc' ? GXC_MAX_REQUEST_BYTES : undefined,
    logger: logger.child({ component: 'rpc' }),
  });
}

function adapterFor(kind: ChainKind, rpc: RpcClient, poolAddress: string, cfg: Config, logger: Logger, network: BitcoinNetwork): ChainAdapter {
  const log = logger.child({ component: 'chain', chain: kind });
  if (kind === 'gxc') {
    const gxcNetwork = poolAddress.startsWith('tGXC') ? 'testnet' : 'mainnet';
    return createGxcAdapter({ rpc, poolAddress, network: gxcNetwork, poolTag: cfg.poolTag, logger: log });
  }
  return createBitcoinAdapter({ rpc, network, poolAddress, poolTag: cfg.poolTag, logger: log });
}

/** Bitcoin Core names its chain in getblockchaininfo: main, test, testnet4, signet, regtest. */
async function bitcoinNetworkOf(rpc: RpcClient): Promise<BitcoinNetwork> {
  const info = await rpc.call<{ chain?: unknown }>('getblockchaininfo', []);
  switch (info.chain) {
    case 'main':
      return 'mainnet';
    case 'test':
    case 'testnet4':
      return 'testnet';
    case 'signet':
      return 'signet';
    case 'regtest':
      return 'regtest';
    default:
      throw new Error(
        `cannot tell the node's network from getblockchaininfo.chain=${JSON.stringify(info.chain)}: pass --network mainnet|testnet|regtest|signet`,
      );
  }
}

export async function connectNode(cfg: Config, logger: Logger): Promise<NodeConnection> {
  if (!cfg.node.url) return startEmbeddedDevnet(cfg, logger);

  const url = cfg.node.url;
  let kind: ChainKind;
  if (cfg.node.chain === 'auto') {
    const probe = rpcFor('gxc', url, cfg, logger);
    try {
      kind = await detectChainFlavor(probe);
    } finally {
      probe.close();
    }
    logger.info({ event: 'chain_detected', chain: kind }, `node speaks the ${kind} dialect`);
  } else {
    kind = cfg.node.chain;
  }
  if (!cfg.poolAddress) throw new Error('a pool address is required with a node: pass --pool-address ADDR (or GXC_POOL_ADDRESS)');
  const rpc = rpcFor(kind, url, cfg, logger);
  const network = kind === 'bitcoin' ? (cfg.node.network ?? (await bitcoinNetworkOf(rpc))) : 'mainnet';
  const chain = adapterFor(kind, rpc, cfg.poolAddress, cfg, logger, network);
  return { chain, description: rpc.displayUrl, isDevnet: false, devnetUrl: null, poolAddress: cfg.poolAddress, stop: async () => rpc.close() };
}

async function startEmbeddedDevnet(cfg: Config, logger: Logger): Promise<NodeConnection> {
  const flavor = cfg.devnet.flavor;
  // Loaded only here: the devnet is a large module tree that a pool on a real node never uses.
  const { startAnyDevnet } = await import('./devnet/index.js');
  const devnet = await startAnyDevnet({
    flavor,
    host: '127.0.0.1',
    port: cfg.devnet.port,
    dataDir: path.join(cfg.dataDir, `devnet-${flavor}`),
    walletAddresses: cfg.poolAddress ? [cfg.poolAddress] : [],
    difficulty: cfg.devnet.difficulty,
    logger: logger.child({ component: 'devnet', flavor }),
  });
  const rpc = rpcFor(flavor, devnet.url, cfg, logger);
  // The devnet wallet owns the pool address, so block rewards can later be paid out from it.
  const poolAddress = cfg.poolAddress ?? (await rpc.call<string>('getnewaddress', []));
  const chain = adapterFor(flavor, rpc, poolAddress, cfg, logger, 'regtest');
  return {
    chain,
    description: `embedded devnet (${flavor}) at ${devnet.url}, pool address ${poolAddress}`,
    isDevnet: true,
    devnetUrl: devnet.url,
    poolAddress,
    stop: async () => {
      rpc.close();
      await devnet.stop();
    },
  };
}
