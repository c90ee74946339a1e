/**
 * The embedded GXC-flavour devnet: an HTTP JSON-RPC server that answers as the GXC node does (see
 * ../../../shared/docs/gxc-node.md and the recorded transcript) over a real chain of GXC JSON blocks, and that
 * — unlike the node — re-verifies every submitted hash (the pool's bridge header, or the node's text hash).
 *
 * Default difficulty 5 (leading hex zeros) means 16^5 ≈ 1.05 M hashes per block: about 1 s at 1 MH/s, a few
 * seconds for the pool's built-in CPU miner. Tests use 1–3.
 */
import type net from 'node:net';
import { silentLogger, type Logger } from '../../log/logger.js';
import { GxcDevnetChain, type GxcDevnetChainOptions } from './chain.js';
import { startNodeHttpServer } from './http.js';
import { processJsonRpc } from './json-rpc.js';
import { dbl, dumpNlohmann } from './nlohmann-json.js';
import { gxcNodeMethods } from './rpc-methods.js';

export { GxcDevnetChain, type GxcDevnetChainOptions } from './chain.js';

export interface GxcDevnetOptions extends GxcDevnetChainOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  logger?: Logger;
}

export interface GxcDevnet {
  url: string;
  port: number;
  stop(): Promise<void>;
  chain: GxcDevnetChain;
}

export async function startGxcDevnet(opts: GxcDevnetOptions = {}): Promise<GxcDevnet> {
  const logger = opts.logger ?? silentLogger;
  const chain = new GxcDevnetChain({ ...opts, logger });
  const methods = gxcNodeMethods(chain);
  const host = opts.host ?? '127.0.0.1';
  const server: net.Server = await startNodeHttpServer({
    host,
    port: opts.port ?? 0,
    logger,
    handlers: {
      rpc: (body) => processJsonRpc(body, methods),
      health: () =>
        dumpNlohmann({
          difficulty: dbl(chain.difficulty),
          height: chain.count,
          service: 'GXC Blockchain Node',
          status: 'ok',
          timestamp: chain.now(),
        }),
    },
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    { event: 'devnet_started', flavor: 'gxc', url, difficulty: chain.difficulty, wallet: chain.walletAddresses[0] },
    `GXC devnet listening on ${url}`,
  );
  let stopped: Promise<void> | null = null;
  return {
    url,
    port,
    chain,
    stop(): Promise<void> {
      stopped ??= Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), chain.close()]).then(() => undefined);
      return stopped;
    },
  };
}
