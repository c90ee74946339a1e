/**
 * Builds the effective configuration: defaults < config file (JSON) < environment (GXC_POOL_*) < CLI flags.
 * Every source goes through the same schema, so a bad value gets the same precise message wherever it came from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigSchema, DEFAULT_CONFIG, formatIssues, type Config, type PoolSettings, type PoolName } from './schema.js';
import { DEVNET_DIFFICULTY, ETHASH_DEVNET_DIFFICULTY, POOL_PRESETS } from './presets.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

/** One row per setting that has a flag and an environment variable. `path` is its place in the schema. */
export interface SettingSource {
  flag: string;
  env: string;
  path: string;
  kind: 'string' | 'number';
  help: string;
}

export const SETTINGS: SettingSource[] = [
  {
    flag: 'node-url',
    env: 'GXC_POOL_NODE_URL',
    path: 'node.url',
    kind: 'string',
    help: 'node JSON-RPC URL (http://user:pass@host:port); unset: run the embedded devnet',
  },
  {
    flag: 'chain',
    env: 'GXC_POOL_CHAIN',
    path: 'node.chain',
    kind: 'string',
    help: 'node family: auto | bitcoin | gxc (default auto: detect from the template answer)',
  },
  {
    flag: 'network',
    env: 'GXC_POOL_NETWORK',
    path: 'node.network',
    kind: 'string',
    help: "Bitcoin address network: mainnet | testnet | regtest | signet (default: the node's own, from getblockchaininfo)",
  },
  {
    flag: 'pool-address',
    env: 'GXC_POOL_ADDRESS',
    path: 'poolAddress',
    kind: 'string',
    help: 'address block rewards are paid to (required with a node; the devnet supplies one)',
  },
  { flag: 'pool-tag', env: 'GXC_POOL_TAG', path: 'poolTag', kind: 'string', help: 'text written into every coinbase (default /gxc-pool/)' },
  { flag: 'pool', env: 'GXC_POOL_POOL', path: 'pool', kind: 'string', help: 'pools to run: all | asic | gpu | general (default all)' },
  {
    flag: 'stratum-host',
    env: 'GXC_POOL_STRATUM_HOST',
    path: 'stratum.host',
    kind: 'string',
    help: 'address the stratum ports bind to (default 0.0.0.0)',
  },
  {
    flag: 'stratum-port',
    env: 'GXC_POOL_STRATUM_PORT',
    path: 'stratum.port',
    kind: 'number',
    help: 'stratum port of the selected pool (with --pool all: the general pool); defaults asic 3335, gpu 3334, general 3333',
  },
  { flag: 'web-host', env: 'GXC_POOL_WEB_HOST', path: 'web.host', kind: 'string', help: 'address the web/API ports bind to (default 0.0.0.0)' },
  {
    flag: 'web-port',
    env: 'GXC_POOL_WEB_PORT',
    path: 'web.port',
    kind: 'number',
    help: 'web/API port of the selected pool (with --pool all: the general pool); defaults asic 6002, gpu 6001, general 6000',
  },
  {
    flag: 'web-cors',
    env: 'GXC_POOL_WEB_CORS',
    path: 'web.cors',
    kind: 'string',
    help: 'origins allowed to call the API from a browser: * or a comma-separated list (default: same origin only)',
  },
  {
    flag: 'admin-token',
    env: 'GXC_POOL_ADMIN_TOKEN',
    path: 'web.adminToken',
    kind: 'string',
    help: 'bearer token enabling the operator endpoints /api/admin/* (prefer the env variable: flags show in ps)',
  },
  {
    flag: 'difficulty',
    env: 'GXC_POOL_DIFFICULTY',
    path: 'difficulty',
    kind: 'number',
    help: 'starting share difficulty (vardiff moves from there; may be below 1 for CPU miners)',
  },
  {
    flag: 'extranonce2-size',
    env: 'GXC_POOL_EXTRANONCE2_SIZE',
    path: 'stratum.extranonce2Size',
    kind: 'number',
    help: 'extranonce2 bytes given to miners (default 4)',
  },
  {
    flag: 'stratum-workers',
    env: 'GXC_POOL_STRATUM_WORKERS',
    path: 'stratum.workers',
    kind: 'number',
    help: 'socket worker processes for the SHA-256d-only (asic) pool; 0 = in the main process (default 0)',
  },
  {
    flag: 'version-mask',
    env: 'GXC_POOL_VERSION_MASK',
    path: 'stratum.versionMask',
    kind: 'string',
    help: 'BIP310 version-rolling mask in hex (default 1fffe000)',
  },
  { flag: 'data-dir', env: 'GXC_POOL_DATA_DIR', path: 'dataDir', kind: 'string', help: 'directory for the database and logs (default ./data)' },
  {
    flag: 'db',
    env: 'GXC_POOL_DB',
    path: 'db',
    kind: 'string',
    help: 'store: sqlite:PATH | postgres://user:pass@host/db (default sqlite:<data-dir>/pool.db)',
  },
  {
    flag: 'devnet-flavor',
    env: 'GXC_POOL_DEVNET_FLAVOR',
    path: 'devnet.flavor',
    kind: 'string',
    help: 'embedded devnet dialect when no node is set: gxc | bitcoin (default gxc)',
  },
  {
    flag: 'devnet-difficulty',
    env: 'GXC_POOL_DEVNET_DIFFICULTY',
    path: 'devnet.difficulty',
    kind: 'number',
    help: "embedded devnet's network difficulty, in the flavour's unit (bitcoin: diff1/target, gxc: leading hex zeros)",
  },
  { flag: 'scheme', env: 'GXC_POOL_SCHEME', path: 'payouts.scheme', kind: 'string', help: 'reward scheme: pplns | prop | solo (default pplns)' },
  {
    flag: 'pplns-window',
    env: 'GXC_POOL_PPLNS_WINDOW',
    path: 'payouts.pplnsWindow',
    kind: 'number',
    help: 'PPLNS window as N x network difficulty (default 2)',
  },
  { flag: 'fee', env: 'GXC_POOL_FEE', path: 'payouts.fee', kind: 'number', help: 'pool fee in percent (default 1)' },
  {
    flag: 'fee-address',
    env: 'GXC_POOL_FEE_ADDRESS',
    path: 'payouts.feeAddress',
    kind: 'string',
    help: 'address the fee is credited to (default: the pool address)',
  },
  { flag: 'min-payout', env: 'GXC_POOL_MIN_PAYOUT', path: 'payouts.minPayout', kind: 'string', help: 'minimum payout in coins (default 0.01)' },
  {
    flag: 'payout-interval',
    env: 'GXC_POOL_PAYOUT_INTERVAL',
    path: 'payouts.intervalSeconds',
    kind: 'number',
    help: 'seconds between payout runs (default 3600)',
  },
  {
    flag: 'log-level',
    env: 'GXC_POOL_LOG_LEVEL',
    path: 'log.level',
    kind: 'string',
    help: 'fatal | error | warn | info | debug | trace | silent (default info)',
  },
  {
    flag: 'log-format',
    env: 'GXC_POOL_LOG_FORMAT',
    path: 'log.format',
    kind: 'string',
    help: 'stdout log format: auto (readable on a terminal, JSON otherwise) | pretty | json; the log file is always JSON',
  },
];

function setPath(target: Json, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node: Json = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]!] = value;
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) {
      out[k] = deepMerge(b as Json, v as Json);
    } else if (v !== undefined) {
      out[k] = v;
    }
  }
  return out;
}

/** Numbers from env/flags stay strings if they do not parse, so the schema names the bad value. */
function coerce(kind: SettingSource['kind'], raw: string): unknown {
  if (kind === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return raw;
}

export interface LoadOptions {
  /** Path of a JSON config file (--config). */
  configFile?: string;
  /** Flag values keyed by flag name (commander's camelCase or the kebab name both work). */
  flags?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  let merged: Json = structuredClone(DEFAULT_CONFIG) as unknown as Json;

  const file = opts.configFile ?? env.GXC_POOL_CONFIG;
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`config file ${file}: cannot read it (${(err as Error).message})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${file}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`config file ${file}: expected a JSON object at the top level`);
    }
    merged = deepMerge(merged, parsed as Json);
  }

  const overrides: Json = {};
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined && raw !== '') setPath(overrides, s.path, coerce(s.kind, raw));
  }
  for (const s of SETTINGS) {
    const v = opts.flags?.[camel(s.flag)] ?? opts.flags?.[s.flag];
    if (v !== undefined) setPath(overrides, s.path, typeof v === 'string' ? coerce(s.kind, v) : v);
  }
  merged = deepMerge(merged, overrides);

  const result = ConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(formatIssues(result.error));
  return result.data;
}

/** The pools this process runs, with per-run overrides (ports, starting difficulty, devnet difficulty) applied. */
export function selectPools(cfg: Config, opts: { devnet: boolean }): PoolSettings[] {
  const names: PoolName[] = cfg.pool === 'all' ? ['asic', 'gpu', 'general'] : [cfg.pool];
  const portTarget: PoolName = cfg.pool === 'all' ? 'general' : cfg.pool;
  return names.map((name) => {
    const preset = structuredClone(POOL_PRESETS[name]);
    if (opts.devnet) {
      const ethashOnly = !preset.algorithms.includes('sha256d');
      preset.difficulty = { ...(ethashOnly ? ETHASH_DEVNET_DIFFICULTY : DEVNET_DIFFICULTY) };
      if (preset.ethashDifficulty) preset.ethashDifficulty = { ...ETHASH_DEVNET_DIFFICULTY };
    }
    if (cfg.difficulty !== undefined) {
      // The starting difficulty of every selected pool, both algorithms (one unit: 1 = 2^32 hashes).
      for (const d of [preset.difficulty, preset.ethashDifficulty]) {
        if (!d) continue;
        d.initial = cfg.difficulty;
        d.floor = Math.min(d.floor, cfg.difficulty);
        d.ceiling = Math.max(d.ceiling, cfg.difficulty);
      }
    }
    if (name === portTarget && cfg.stratum.port !== undefined) preset.stratumPort = cfg.stratum.port;
    if (name === portTarget && cfg.web.port !== undefined) preset.webPort = cfg.web.port;
    return preset;
  });
}

export function storeUrl(cfg: Config): string {
  return cfg.db ?? `sqlite:${path.join(cfg.dataDir, 'pool.db')}`;
}
