/** The built-in CPU miners used by end-to-end tests, demos and `gxc-pool miner`: SHA-256d (Stratum V1) and Ethash. */
export { startMiner } from './miner.js';
export { startEthashMiner, type EthashMinerHandle, type EthashMinerOptions } from './ethash-miner.js';
export type { EthashClientDialect } from './ethash-dialects.js';
export { runMinerCli, runEthashMinerCli, formatHashrate, type MinerCliOptions, type EthashMinerCliOptions } from './cli.js';
export type { MinerOptions, MinerHandle, MinerStats, MinerEvents, ShareEvent, EthashShareEvent, JobEvent } from './types.js';
