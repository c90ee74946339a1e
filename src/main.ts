/**
 * gxc-pool command line: start (the pool), devnet (the embedded chain on its own), miner (the built-in CPU
 * miner), migrate (database schema), payouts (what would be paid), blocknotify (the node's new-block hook).
 */
import { Command, Option } from 'commander';
import { ConfigError, SETTINGS, loadConfig } from './config/load.js';

const program = new Command();
program
  .name('gxc-pool')
  .description('Mining pool server for the GXC blockchain and Bitcoin Core-compatible nodes (Stratum V1, SHA-256d).')
  .showHelpAfterError();

/** Adds every documented setting as a flag; values are validated by the config schema, not here. */
function withSettings(cmd: Command): Command {
  cmd.option('--config <file>', 'JSON config file (same shape as the schema; flags and GXC_POOL_* env override it)');
  for (const s of SETTINGS) cmd.addOption(new Option(`--${s.flag} <value>`, `${s.help} [env ${s.env}]`));
  return cmd;
}

function loadOrExit(opts: Record<string, unknown>): ReturnType<typeof loadConfig> {
  try {
    return loadConfig({ configFile: typeof opts.config === 'string' ? opts.config : undefined, flags: opts });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`gxc-pool: invalid configuration:\n${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

withSettings(program.command('start').description('start the pool(s): stratum + web ports, on a node or the embedded devnet')).action(
  async (opts: Record<string, unknown>) => {
    const cfg = loadOrExit(opts);
    const { startPoolProcess } = await import('./app.js');
    const { installSignalHandlers } = await import('./lifecycle.js');
    let app: Awaited<ReturnType<typeof startPoolProcess>>;
    try {
      app = await startPoolProcess(cfg);
    } catch (err) {
      // Settings only checked at start (the TLS certificate files) fail like any other bad setting.
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`gxc-pool: invalid configuration:\n${err.message}\n`);
      process.exit(2);
    }
    // SIGHUP re-reads the same sources (file, environment, flags) as the start did.
    installSignalHandlers(app, () => loadConfig({ configFile: typeof opts.config === 'string' ? opts.config : undefined, flags: opts }));
  },
);

program
  .command('devnet')
  .description('run the embedded development chain on its own (Bitcoin Core or GXC RPC dialect)')
  .addOption(new Option('--flavor <flavor>', 'RPC dialect').choices(['gxc', 'bitcoin']).default('gxc'))
  .option('--host <host>', 'RPC bind address', '127.0.0.1')
  .option('--port <port>', 'RPC port', '18443')
  .option('--data-dir <dir>', 'where the chain is saved between runs (default: memory only)')
  .option('--wallet-address <addr...>', 'addresses the devnet wallet owns (the pool address, so payouts can be sent)')
  .action(async (opts: { flavor: 'gxc' | 'bitcoin'; host: string; port: string; dataDir?: string; walletAddress?: string[] }) => {
    const { runDevnetCommand } = await import('./commands.js');
    await runDevnetCommand(opts);
  });

program
  .command('miner')
  .description('the built-in CPU miner (SHA-256d over Stratum V1, or Ethash in light mode), for tests and demos')
  .requiredOption('--url <url>', 'pool URL, e.g. stratum+tcp://127.0.0.1:3333')
  .requiredOption('--user <user>', 'ADDRESS.WORKER')
  .option('--password <password>', 'password field (e.g. x, or d=0.01 to ask for a difficulty)', 'x')
  .option('--threads <n>', 'hashing threads', '1')
  .option('--suggest-difficulty <d>', 'send mining.suggest_difficulty')
  .option('--version-rolling', 'negotiate BIP310 version rolling')
  .option('--algo <algo>', 'sha256d or ethash', 'sha256d')
  .option('--dialect <dialect>', 'Ethash wire dialect: ethstratum (EthereumStratum/1.0.0), ethproxy or stratum (ethminer)')
  .action(
    async (opts: {
      url: string;
      user: string;
      password: string;
      threads: string;
      suggestDifficulty?: string;
      versionRolling?: boolean;
      algo: string;
      dialect?: string;
    }) => {
      const { runMinerCommand } = await import('./commands.js');
      await runMinerCommand(opts);
    },
  );

withSettings(program.command('migrate').description('create or upgrade the database schema, then exit')).action(
  async (opts: Record<string, unknown>) => {
    const cfg = loadOrExit(opts);
    const { runMigrateCommand } = await import('./commands.js');
    await runMigrateCommand(cfg);
  },
);

withSettings(program.command('payouts').description('payout tools').option('--dry-run', 'print what would be paid and why, pay nothing')).action(
  async (opts: Record<string, unknown>) => {
    const cfg = loadOrExit(opts);
    const { runPayoutsCommand } = await import('./commands.js');
    await runPayoutsCommand(cfg, { dryRun: opts.dryRun === true });
  },
);

program
  .command('blocknotify')
  .description("tell a running pool that the node has a new block (use as the node's -blocknotify command)")
  .option('--web-url <url>', 'web/API base URL of the pool', 'http://127.0.0.1:6000')
  .argument('[blockhash]', 'the new block hash (informational)')
  .action(async (blockhash: string | undefined, opts: { webUrl: string }) => {
    const { runBlocknotifyCommand } = await import('./commands.js');
    await runBlocknotifyCommand(opts.webUrl, blockhash);
  });

program
  .command('bench-stratum')
  .description('load generator for any Stratum V1 server on loopback (sessions, share load, server CPU/RSS from /proc)')
  .requiredOption('--url <url>', 'pool URL, e.g. stratum+tcp://127.0.0.1:3333')
  .requiredOption('--user <user>', 'username; {i} becomes the session index (ADDRESS.w{i})')
  .option('--password <password>', 'password field', 'x')
  .option('--sessions <n>', 'sessions to open (default 100)')
  .option('--processes <n>', 'client processes sharing the sessions (default: one per 5,000)')
  .option('--per-address <n>', 'sessions per 127.x.y.z source address (default 200)')
  .option('--mode <mode>', 'idle | rate (open loop) | closed (K in flight per session); default closed')
  .option('--shares <kind>', 'grind (hashed against the announced target: accepted) | random (rejected); default random')
  .option('--rate <n>', 'open loop: submits per second over all sessions (default 1000)')
  .option('--inflight <k>', 'closed loop: submits in flight per session (default 1)')
  .option('--seconds <s>', 'length of the load or idle phase (default 10)')
  .option('--max-submits <n>', 'stop the load phase after this many submits (default 1000000)')
  .option('--connect-timeout-seconds <s>', 'time allowed to get every session ready (default 120)')
  .option('--wave <n>', 'sessions each client process opens at once (default 100)')
  .option('--suggest-difficulty <d>', 'send mining.suggest_difficulty before authorize')
  .option('--server-pid <pid>', "the server's pid: its RSS per session and CPU per decision are read from /proc")
  .option('--settle-seconds <s>', 'wait before reading the server RSS after connecting (default 2)')
  .option('--fanout-block', 'after the load, one session grinds a block; time its clean job to the last session')
  .option('--max-grind-hashes <n>', 'hashes a session may spend on one share (default 2000000)')
  .option('--json', 'print the report as JSON')
  .option('--accepted-log <path>', 'append the hash of every accepted share to <path>.<client process index>')
  .action(async (opts: Record<string, string | boolean | undefined>) => {
    const { runBenchStratumCommand } = await import('./loadgen/command.js');
    await runBenchStratumCommand(opts);
  });

program
  .command('bench-stratum-client', { hidden: true })
  .description('a client process of bench-stratum (started by it over IPC)')
  .action(async () => {
    const { runClientProcess } = await import('./loadgen/client-process.js');
    runClientProcess();
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`gxc-pool: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
