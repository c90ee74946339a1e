/** The built-in CPU miner (Stratum V1, SHA-256d) used by end-to-end tests, demos and `gxc-pool miner`. */
export { startMiner } from './miner.js';
export { runMinerCli, formatHashrate, type MinerCliOptions } from './cli.js';
export type { MinerOptions, MinerHandle, MinerStats, MinerEvents, ShareEvent, JobEvent } from './types.js';
