/**
 * One schema for every setting, whatever its source (defaults < config file < environment < flags).
 * Each setting has a documented default here; `gxc-pool start --help` lists the flags that set them.
 */
import { z } from 'zod';

const port = z
  .number({ error: (iss) => `expected a port number 1..65535, got ${JSON.stringify(iss.input)}` })
  .int({ error: (iss) => `expected a whole port number 1..65535, got ${JSON.stringify(iss.input)}` })
  .refine((v) => v >= 1 && v <= 65535, { error: (iss) => `expected 1..65535, got ${JSON.stringify(iss.input)}` });

const positive = (what: string) =>
  z
    .number({ error: (iss) => `expected ${what}, got ${JSON.stringify(iss.input)}` })
    .refine((v) => Number.isFinite(v) && v > 0, { error: (iss) => `expected ${what} > 0, got ${JSON.stringify(iss.input)}` });

const percent = z
  .number({ error: (iss) => `expected a percentage, got ${JSON.stringify(iss.input)}` })
  .refine((v) => v >= 0 && v < 100, { error: (iss) => `expected 0 <= percent < 100, got ${JSON.stringify(iss.input)}` });

/**
 * A rejected URL is quoted back without its password: config errors reach stderr and the log (a refused reload),
 * and the node and database URLs carry credentials.
 */
function withoutPassword(input: unknown): unknown {
  return typeof input === 'string' ? input.replace(/(\/\/[^/@:]*):.*@/, '$1:***@') : input;
}

/** Amounts in coins, kept as the decimal text written so they convert to the smallest unit exactly. */
const coinAmount = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d{1,8})?$/.test(v), {
    error: (iss) => `expected an amount in coins with at most 8 decimals, got ${JSON.stringify(iss.input)}`,
  });

/** An enum whose error quotes the value it got: `expected one of auto|bitcoin|gxc, got "dogecoin"`. */
function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (iss) => `expected one of ${values.join('|')}, got ${JSON.stringify(iss.input)}` });
}

export const PoolName = choice(['asic', 'gpu', 'general']);
export type PoolName = z.infer<typeof PoolName>;

export const Algorithm = z.enum(['sha256d', 'ethash']);
export type Algorithm = z.infer<typeof Algorithm>;

export const DifficultySettings = z
  .object({
    /** Starting share difficulty; vardiff moves from there. May be below 1 for CPU miners. */
    initial: positive('a share difficulty'),
    /** Vardiff never goes below this (stops a firmware asking for 0.001 from flooding the pool). */
    floor: positive('a minimum difficulty'),
    ceiling: positive('a maximum difficulty'),
    /** Vardiff aims at one share per connection every this many seconds. */
    targetShareSeconds: positive('seconds per share'),
    /** Vardiff re-evaluates a connection's difficulty at most this often. */
    retargetSeconds: positive('seconds between retargets'),
  })
  .refine((d) => d.floor <= d.ceiling, { error: 'floor must be <= ceiling', path: ['floor'] })
  .refine((d) => d.initial >= d.floor && d.initial <= d.ceiling, { error: 'initial must be within floor..ceiling', path: ['initial'] });
export type DifficultySettings = z.infer<typeof DifficultySettings>;

export const PoolSettings = z.object({
  name: PoolName,
  algorithms: z.array(Algorithm).min(1),
  stratumPort: port,
  webPort: port,
  difficulty: DifficultySettings,
  /** Ethash sessions on a port that serves both algorithms (same unit: 1 = 2^32 hashes); default `difficulty`. */
  ethashDifficulty: DifficultySettings.optional(),
});
export type PoolSettings = z.infer<typeof PoolSettings>;

export const ConfigSchema = z.strictObject({
  node: z.strictObject({
    /** JSON-RPC URL of the node (user:pass@ for basic auth). Empty: run the embedded devnet. */
    url: z
      .string()
      .url({ error: (iss) => `expected a URL like http://user:pass@127.0.0.1:8332, got ${JSON.stringify(withoutPassword(iss.input))}` })
      .optional(),
    /** Node family: auto-detected from its template answer unless forced. */
    chain: choice(['auto', 'bitcoin', 'gxc']),
    /** Address format network for a Bitcoin-family node; unset: read from the node's getblockchaininfo. */
    network: choice(['mainnet', 'testnet', 'regtest', 'signet']).optional(),
    timeoutMs: positive('a timeout in ms'),
    /** How often the tip is polled for new blocks (new work within this delay). */
    pollMs: positive('a poll interval in ms'),
    /** Template refresh without clean jobs (new transactions), seconds. */
    refreshSeconds: positive('a refresh interval in seconds'),
  }),
  /** Where block rewards go. Required with a real node; the devnet provides its own wallet address. */
  poolAddress: z.string().min(1).optional(),
  /** Text put in every coinbase scriptSig. */
  poolTag: z.string().max(40),
  /** Database and logs live here. */
  dataDir: z.string().min(1),
  /** sqlite:PATH or postgres://...; default sqlite:<dataDir>/pool.db */
  db: z
    .string()
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
      error: (iss) => `expected sqlite:PATH or postgres://user:pass@host/db, got ${JSON.stringify(withoutPassword(iss.input))}`,
    })
    .optional(),
  /** How the store is written (the database itself is `db`). */
  store: z.strictObject({
    /**
     * SQLite: share inserts and their group commits run on a worker thread with its own connection, so a commit's
     * fsync never blocks the event loop that owns the sockets. false: on the main thread, as before.
     */
    sqliteWriterThread: z.boolean(),
  }),
  /** Which pools this process runs. */
  pool: choice(['all', 'asic', 'gpu', 'general']),
  stratum: z.strictObject({
    host: z.string().min(1),
    /** Overrides the stratum port of the selected pool (with --pool all: the general pool). */
    port: port.optional(),
    extranonce2Size: z
      .number()
      .int()
      .refine((v) => v >= 2 && v <= 8, { error: (iss) => `expected 2..8 bytes, got ${JSON.stringify(iss.input)}` }),
    /** BIP310 version-rolling mask the pool allows (hex). */
    versionMask: z.string().regex(/^[0-9a-fA-F]{1,8}$/, { error: 'expected up to 8 hex digits, e.g. 1fffe000' }),
    maxConnections: z.number().int().positive(),
    /** Live connections per IPv4 address or IPv6 /64 (a farm's NAT shows as one address). */
    maxConnectionsPerIp: z.number().int().positive(),
    /**
     * Socket worker processes for the SHA-256d-only pools (asic): 0 = sockets in the main process (default); N =
     * N processes that own the connections and check shares, the main process keeping jobs, duplicates, the share
     * writer and block submission (docs/multicore.md). Pools serving Ethash stay in the main process.
     */
    workers: z
      .number()
      .int()
      .refine((v) => v >= 0 && v <= 63, { error: (iss) => `expected 0..63 socket worker processes, got ${JSON.stringify(iss.input)}` }),
    /** Before subscribing/authorizing, a connection silent this long is closed. */
    idleTimeoutSeconds: positive('an idle timeout in seconds'),
    /** Automatic bans (per IPv4 address / IPv6 /64, shared by every pool of the process). */
    bans: z.strictObject({
      enabled: z.boolean(),
      durationSeconds: positive('a ban duration in seconds'),
      /** Ban a connection when this % of its last `minShares` shares were invalid (duplicate, low difficulty). */
      invalidSharePercent: z
        .number({ error: (iss) => `expected a percentage, got ${JSON.stringify(iss.input)}` })
        .refine((v) => v > 0 && v <= 100, { error: (iss) => `expected 0 < percent <= 100, got ${JSON.stringify(iss.input)}` }),
      minShares: z.number().int().positive(),
      /** Thresholds within `windowSeconds`, per address. */
      junkLines: z.number().int().positive(),
      badAuthorizations: z.number().int().positive(),
      floods: z.number().int().positive(),
      windowSeconds: positive('a window in seconds'),
    }),
    /**
     * Stratum over TLS (`stratum+ssl://`) on its own port per pool; unset: no TLS port. The PEM files are read
     * again on SIGHUP (a renewed certificate at the same path takes effect without a restart).
     */
    tls: z
      .strictObject({
        certFile: z.string().min(1),
        keyFile: z.string().min(1),
        /** TLS port per pool; default the pool's stratum port + 1000 (asic 4335, gpu 4334, general 4333). */
        ports: z.strictObject({ asic: port.optional(), gpu: port.optional(), general: port.optional() }).optional(),
      })
      .optional(),
    /** SIGTERM/SIGINT: how miners are let go. */
    shutdown: z.strictObject({
      /** Send `client.reconnect` (same host and port, after `reconnectWaitSeconds`) before closing. */
      reconnect: z.boolean(),
      /** Host name miners use (a miner may refuse a reconnect to another domain); default: the address they reached. */
      reconnectHost: z.string().min(1).optional(),
      reconnectWaitSeconds: z.number().int().min(0).max(600),
      /** Longest wait for the answers to shares in flight before connections are closed. */
      drainSeconds: positive('a drain time in seconds'),
    }),
  }),
  /** Overrides the starting difficulty of every selected pool. */
  difficulty: positive('a share difficulty').optional(),
  web: z.strictObject({
    host: z.string().min(1),
    port: port.optional(),
    /** CORS for the API: unset/false = same origin only; true or "*" = any; "https://a,https://b" or a list = those. */
    cors: z.union([z.boolean(), z.string().min(1), z.array(z.string().min(1))]).optional(),
    /** Bearer token of the operator endpoints (/api/admin/*); unset = they do not exist (404). */
    adminToken: z.string().min(16, { error: 'expected an admin token of at least 16 characters' }).optional(),
  }),
  devnet: z.strictObject({
    flavor: choice(['gxc', 'bitcoin']),
    /** Loopback port for the embedded devnet's RPC (0 = any free port). */
    port: z.number().int().min(0).max(65535),
    /**
     * Network difficulty of the devnet in the flavour's own unit (Bitcoin: diff1/target; GXC: leading hex zeros).
     * Default: a CPU finds a block every several seconds.
     */
    difficulty: positive('a devnet difficulty').optional(),
  }),
  payouts: z.strictObject({
    scheme: choice(['pplns', 'prop', 'solo']),
    /** PPLNS window: N x network difficulty worth of shares. */
    pplnsWindow: positive('a PPLNS window factor'),
    fee: percent,
    feeAddress: z.string().min(1).optional(),
    minPayout: coinAmount,
    intervalSeconds: positive('a payout interval in seconds'),
  }),
  log: z.strictObject({
    level: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    /** stdout format: auto = readable lines on a terminal, JSON otherwise; the log file is always JSON. */
    format: choice(['auto', 'pretty', 'json']).default('auto'),
  }),
  /** Ethash share verification (GPU pools): worker threads, epoch caches, optional full dataset. */
  ethash: z.strictObject({
    /** Verification threads; 0 = automatic (cores − 1, at least 2, at most 4). */
    threads: z.number().int().min(0).max(64),
    /** Light caches kept (16 MB and up each): a late share's epoch, the current one, the next one. */
    maxCachedEpochs: z.number().int().min(1).max(16),
    /** Full mode: a lazily filled dataset per epoch (≥ 1 GB each) makes verification ~10x cheaper once warm. */
    fullDataset: z.strictObject({ enabled: z.boolean(), memoryBudgetMb: z.number().int().min(0) }),
  }),
});
export type Config = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = {
  node: { chain: 'auto', timeoutMs: 10_000, pollMs: 250, refreshSeconds: 30 },
  poolTag: '/gxc-pool/',
  dataDir: './data',
  store: { sqliteWriterThread: true },
  pool: 'all',
  stratum: {
    host: '0.0.0.0',
    extranonce2Size: 4,
    versionMask: '1fffe000',
    maxConnections: 10_000,
    maxConnectionsPerIp: 256,
    workers: 0,
    idleTimeoutSeconds: 15,
    bans: {
      enabled: true,
      durationSeconds: 600,
      invalidSharePercent: 50,
      minShares: 50,
      junkLines: 10,
      badAuthorizations: 20,
      floods: 3,
      windowSeconds: 60,
    },
    shutdown: { reconnect: true, reconnectWaitSeconds: 5, drainSeconds: 10 },
  },
  web: { host: '0.0.0.0' },
  devnet: { flavor: 'gxc', port: 0 },
  payouts: { scheme: 'pplns', pplnsWindow: 2, fee: 1, minPayout: '0.01', intervalSeconds: 3600 },
  log: { level: 'info', format: 'auto' },
  ethash: { threads: 0, maxCachedEpochs: 3, fullDataset: { enabled: false, memoryBudgetMb: 4096 } },
};

/** Formats zod issues as "stratum.port: expected 1..65535, got 70000" lines. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(config)'}: ${i.message}`).join('\n');
}
