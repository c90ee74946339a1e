import { createLogger, type Logger } from '../log/logger.js';
import { type EthashMinerHandle, type EthashMinerOptions, startEthashMiner } from './ethash-miner.js';
import { startMiner } from './miner.js';
import type { BaseShareEvent, MinerHandle, MinerHandleOf, MinerOptions } from './types.js';

interface CliReporting {
  /** How often to log the hash rate. Default 10 s. */
  statsIntervalMs?: number;
}
export interface MinerCliOptions extends MinerOptions, CliReporting {}
export interface EthashMinerCliOptions extends EthashMinerOptions, CliReporting {}

/**
 * The `gxc-pool miner` command: starts the miner and logs one line per accepted/rejected share and a hash-rate
 * line every 10 s. Returns the miner's handle; its stop() also ends the periodic line.
 */
export function runMinerCli(opts: MinerCliOptions): MinerHandle {
  return runWithCliLogging(opts, startMiner);
}

/** `gxc-pool miner --algo ethash`: the Ethash miner with the same share and hash-rate lines as the SHA-256d one. */
export function runEthashMinerCli(opts: EthashMinerCliOptions): EthashMinerHandle {
  return runWithCliLogging(opts, startEthashMiner);
}

function runWithCliLogging<O extends CliReporting & { logger?: Logger }, S extends BaseShareEvent>(
  opts: O,
  start: (opts: O) => MinerHandleOf<S>,
): MinerHandleOf<S> {
  const logger: Logger = opts.logger ?? createLogger({ name: 'miner' });
  return withCliLogging(start({ ...opts, logger }), logger, opts.statsIntervalMs);
}

function withCliLogging<S extends BaseShareEvent>(miner: MinerHandleOf<S>, logger: Logger, statsIntervalMs?: number): MinerHandleOf<S> {
  let accepted = 0;
  let rejected = 0;
  miner.on('accepted', (share) => {
    accepted++;
    logger.info(`accepted share #${accepted} job ${share.jobId} diff ${formatNumber(share.difficulty)} hash ${share.hashDisplay}`);
  });
  miner.on('rejected', (share) => {
    rejected++;
    logger.warn(`rejected share #${rejected} job ${share.jobId}: ${share.reason ?? 'no reason given'}`);
  });
  miner.on('job', (job) => {
    logger.debug(`new job ${job.jobId}${job.clean ? ' (clean)' : ''} at difficulty ${formatNumber(job.difficulty)}`);
  });
  // The miner already logs its errors; listening here keeps them from being unhandled 'error' events.
  miner.on('error', () => undefined);

  const intervalMs = statsIntervalMs ?? 10_000;
  let lastHashes = 0;
  let lastTime = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const stats = miner.stats();
    const rate = ((stats.hashes - lastHashes) / (now - lastTime)) * 1000;
    lastHashes = stats.hashes;
    lastTime = now;
    logger.info(
      `hashrate ${formatHashrate(rate)} | accepted ${stats.accepted} rejected ${stats.rejected} | ` +
        `diff ${formatNumber(stats.difficulty)}${stats.blocksHinted ? ` | block candidates ${stats.blocksHinted}` : ''}`,
    );
  }, intervalMs);
  timer.unref();

  const handle: MinerHandleOf<S> = {
    stats: () => miner.stats(),
    on: (event, fn) => {
      miner.on(event, fn);
      return handle;
    },
    async stop() {
      clearInterval(timer);
      await miner.stop();
    },
  };
  return handle;
}

export function formatHashrate(hashesPerSecond: number): string {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s'];
  let value = hashesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(4);
}
