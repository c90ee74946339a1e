/**
 * A ChainAdapter for benchmarks only. PoolRuntime uses the adapter for validateAddress/coinSymbol/kind (every
 * authorize) and submitBlock (block candidates). Here addresses are validated by the real Bitcoin address code
 * (regtest), and no node exists: the benchmarks run on work whose network target no hash can meet (see
 * support/work.ts), so submitBlock is never reached. If it were, it throws, so a benchmark can never report a
 * block that no node saw. Work and wallet calls throw for the same reason.
 */
import { validateAddress } from '../../src/chains/bitcoin/address.js';
import type { BlockStatus, ChainAdapter, ChainWallet, NodeSyncState, Sha256dWork, SubmitOutcome } from '../../src/chains/types.js';

const noNode = (what: string): Error => new Error(`bench chain has no node: ${what} is not available`);

const noWallet: ChainWallet = {
  batchesPayments: true,
  balance: () => Promise.reject(noNode('wallet.balance')),
  send: () => Promise.reject(noNode('wallet.send')),
  transaction: () => Promise.reject(noNode('wallet.transaction')),
  recentSends: () => Promise.reject(noNode('wallet.recentSends')),
};

export function createBenchChain(): ChainAdapter {
  return {
    kind: 'bitcoin',
    coinbaseMaturity: 100,
    coinSymbol: 'BTC',
    validateAddress: (address: string) => validateAddress(address, 'regtest'),
    getWork: (): Promise<Sha256dWork> => Promise.reject(noNode('getWork')),
    getBestBlockHash: (): Promise<string> => Promise.reject(noNode('getBestBlockHash')),
    submitBlock: (): Promise<SubmitOutcome> => Promise.reject(noNode('submitBlock (the bench work can never make a block)')),
    blockStatus: (): Promise<BlockStatus> => Promise.reject(noNode('blockStatus')),
    syncState: (): Promise<NodeSyncState> => Promise.reject(noNode('syncState')),
    wallet: noWallet,
  };
}
