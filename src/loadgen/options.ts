/**
 * Options of `gxc-pool bench-stratum`, the Stratum V1 load generator, checked into one typed value with a precise
 * message for each bad flag. Pure: no I/O.
 */
import { parseStratumUrl } from '../miner/endpoint.js';

export type LoadMode = 'idle' | 'rate' | 'closed';
/** grind: the client hashes until the share meets the announced target (accepted); random: full check, rejected. */
export type ShareKind = 'grind' | 'random';

export interface LoadgenOptions {
  host: string;
  port: number;
  /** Username; `{i}` is replaced by the session's index (one worker per session). */
  user: string;
  password: string;
  sessions: number;
  processes: number;
  /** Sessions per 127.x.y.z source address (pools limit connections per IP). */
  perAddress: number;
  mode: LoadMode;
  shares: ShareKind;
  /** Open loop: submits per second over all sessions. */
  rate: number;
  /** Closed loop: submits in flight per session. */
  inflight: number;
  /** Length of the load (or idle hold) phase. */
  seconds: number;
  /** The load phase stops at this many submits even if time is left. */
  maxSubmits: number;
  connectTimeoutSeconds: number;
  /** Sessions each client process opens at once. */
  wave: number;
  suggestDifficulty: number | undefined;
  serverPid: number | undefined;
  /** Wait after the sessions are up before reading the server's RSS. */
  settleSeconds: number;
  /** One session grinds a block-meeting share (against nbits) and the clean job that follows is timed. */
  fanoutBlock: boolean;
  /** Bound on the hashes a client spends on one share; a target harder than that is reported, not ground. */
  maxGrindHashes: number;
  json: boolean;
  /**
   * Where each client process appends the share hash (display hex, one a line) of every accepted share, to
   * `<path>.<process index>`: the soak checks each against the pool's store.
   */
  acceptedLog: string | undefined;
}

export type RawOptions = Record<string, string | boolean | undefined>;

const LIMITS = {
  sessions: [1, 200_000],
  processes: [1, 64],
  perAddress: [1, 60_000],
  rate: [0.001, 10_000_000],
  inflight: [1, 1024],
  seconds: [0, 3600],
  maxSubmits: [1, 1e9],
  connectTimeoutSeconds: [1, 3600],
  wave: [1, 10_000],
  settleSeconds: [0, 600],
  maxGrindHashes: [1, 1e9],
} as const;

function num(raw: RawOptions, name: keyof typeof LIMITS, flag: string, fallback: number, integer: boolean): number {
  const value = raw[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  const [min, max] = LIMITS[name];
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`--${flag}: expected ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function choice<T extends string>(raw: RawOptions, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${name}: expected one of ${allowed.join(' | ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function optionalPath(raw: RawOptions, name: string, flag: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`--${flag}: expected a file path, got ${JSON.stringify(value)}`);
  return value;
}

/** Loopback only: the generator opens thousands of sockets from 127.x.y.z source addresses. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function parseLoadgenOptions(raw: RawOptions): LoadgenOptions {
  if (typeof raw.url !== 'string') throw new Error('--url is required (stratum+tcp://127.0.0.1:PORT)');
  const { host, port } = parseStratumUrl(raw.url);
  if (!isLoopbackHost(host)) throw new Error(`--url: only loopback pools may be load-tested (127.x.y.z or localhost), got ${host}`);
  if (typeof raw.user !== 'string' || raw.user.length === 0) throw new Error('--user is required (ADDRESS or ADDRESS.w{i})');
  const sessions = num(raw, 'sessions', 'sessions', 100, true);
  const perAddress = num(raw, 'perAddress', 'per-address', 200, true);
  const processes = num(raw, 'processes', 'processes', Math.min(LIMITS.processes[1], Math.max(1, Math.ceil(sessions / 5000))), true);
  if (processes > sessions) throw new Error(`--processes (${processes}) cannot exceed --sessions (${sessions})`);
  // Source addresses are 127.(10 + k>>16).(k>>8).(k): enough for any session count within the limits.
  const suggestRaw = raw.suggestDifficulty;
  let suggestDifficulty: number | undefined;
  if (suggestRaw !== undefined) {
    suggestDifficulty = Number(suggestRaw);
    if (typeof suggestRaw !== 'string' || !(suggestDifficulty > 0) || !Number.isFinite(suggestDifficulty)) {
      throw new Error(`--suggest-difficulty: expected a number > 0, got ${JSON.stringify(suggestRaw)}`);
    }
  }
  const pidRaw = raw.serverPid;
  let serverPid: number | undefined;
  if (pidRaw !== undefined) {
    serverPid = Number(pidRaw);
    if (typeof pidRaw !== 'string' || !Number.isInteger(serverPid) || serverPid < 1) {
      throw new Error(`--server-pid: expected a process id, got ${JSON.stringify(pidRaw)}`);
    }
  }
  return {
    host: host === 'localhost' ? '127.0.0.1' : host,
    port,
    user: raw.user,
    password: typeof raw.password === 'string' ? raw.password : 'x',
    sessions,
    processes,
    perAddress,
    mode: choice(raw, 'mode', ['idle', 'rate', 'closed'] as const, 'closed'),
    shares: choice(raw, 'shares', ['grind', 'random'] as const, 'random'),
    rate: num(raw, 'rate', 'rate', 1000, false),
    inflight: num(raw, 'inflight', 'inflight', 1, true),
    seconds: num(raw, 'seconds', 'seconds', 10, false),
    maxSubmits: num(raw, 'maxSubmits', 'max-submits', 1_000_000, true),
    connectTimeoutSeconds: num(raw, 'connectTimeoutSeconds', 'connect-timeout-seconds', 120, false),
    wave: num(raw, 'wave', 'wave', 100, true),
    suggestDifficulty,
    serverPid,
    settleSeconds: num(raw, 'settleSeconds', 'settle-seconds', 2, false),
    fanoutBlock: raw.fanoutBlock === true,
    maxGrindHashes: num(raw, 'maxGrindHashes', 'max-grind-hashes', 2_000_000, true),
    json: raw.json === true,
    acceptedLog: optionalPath(raw, 'acceptedLog', 'accepted-log'),
  };
}

/** Source address of session `index`: `perAddress` sessions share one 127.x.y.z. IPv6 targets use ::1 only. */
export function sourceAddress(index: number, perAddress: number, host: string): string | undefined {
  if (host === '::1') return undefined;
  const k = Math.floor(index / perAddress) + 1;
  return `127.${10 + ((k >>> 16) & 0xff)}.${(k >>> 8) & 0xff}.${k & 0xff}`;
}

/** Splits `total` sessions over `parts` processes as evenly as possible: [start, end) per process. */
export function splitSessions(total: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let p = 0; p < parts; p++) out.push([Math.floor((total * p) / parts), Math.floor((total * (p + 1)) / parts)]);
  return out;
}
