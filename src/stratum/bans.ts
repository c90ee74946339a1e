/**
 * The ban policy and the ban list. One registry per process, shared by every pool's Stratum server (plain and
 * TLS ports alike): an address banned for junk on one port is refused on all of them. Abuse is counted per ban key
 * (IPv4 address or IPv6 /64, see ban-key.ts) in a fixed window; the invalid-share ratio is judged per connection,
 * so one broken device behind a farm's NAT is not averaged away by its healthy neighbours, and the ban then falls
 * on the address it came from. Memory is bounded: a capped number of counters and of bans.
 */
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { banKey } from './ban-key.js';
import type { BanEntry, BanList } from './types.js';

export interface BanPolicy {
  /** false: nothing is banned automatically (operator bans through the API still apply). */
  enabled: boolean;
  /** How long an automatic ban lasts. */
  durationMs: number;
  /** A connection whose invalid shares (duplicate, low difficulty) reach this percentage of its shares is banned... */
  invalidSharePercent: number;
  /** ...once it has sent at least this many shares since its last check. */
  minShares: number;
  /** Unparseable lines (bad JSON, binary, over-long) from one address within the window before a ban. */
  junkLines: number;
  /** Refused `mining.authorize` calls from one address within the window before a ban. */
  badAuthorizations: number;
  /** Request floods (rate limit tripped) from one address within the window before a ban. */
  floods: number;
  /** The window the three counters above are counted in. */
  windowMs: number;
}

export const DEFAULT_BAN_POLICY: BanPolicy = {
  enabled: true,
  durationMs: 10 * 60_000,
  invalidSharePercent: 50,
  minShares: 50,
  junkLines: 10,
  badAuthorizations: 20,
  floods: 3,
  windowMs: 60_000,
};

export type AbuseKind = 'junk' | 'badAuthorization' | 'flood';

const POLICY_FIELD: Record<AbuseKind, 'junkLines' | 'badAuthorizations' | 'floods'> = {
  junk: 'junkLines',
  badAuthorization: 'badAuthorizations',
  flood: 'floods',
};

/** Counters and bans kept at most (an attacker spraying from many addresses cannot grow memory past these). */
const MAX_TRACKED_KEYS = 50_000;
const MAX_BANS = 100_000;
const PRUNE_EVERY_MS = 30_000;

interface Counters {
  windowStart: number;
  junk: number;
  badAuthorization: number;
  flood: number;
}

interface LiveBan extends BanEntry {
  /** Connection attempts refused while it held (logged once, when the ban ends). */
  refused: number;
}

export type BanListener = (key: string) => void;

export class BanRegistry implements BanList {
  private readonly bans = new Map<string, LiveBan>();
  private readonly counters = new Map<string, Counters>();
  private readonly listeners = new Set<BanListener>();
  private readonly pruneTimer: NodeJS.Timeout;
  private policy: BanPolicy;

  constructor(
    policy: Partial<BanPolicy> = {},
    private readonly log: Logger = silentLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = validateBanPolicy({ ...DEFAULT_BAN_POLICY, ...policy });
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /** The policy in force; `reconfigure` replaces it (SIGHUP) without touching bans already made. */
  get current(): Readonly<BanPolicy> {
    return this.policy;
  }

  reconfigure(policy: Partial<BanPolicy>): void {
    this.policy = validateBanPolicy({ ...this.policy, ...policy });
  }

  /** Calls `listener(key)` on every new ban (servers close that key's live connections). Returns an unsubscribe. */
  onBan(listener: BanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a new connection from `address` must be refused; counts the refusal. */
  refuses(address: string): boolean {
    const key = banKey(address);
    if (key === null) return false;
    const entry = this.activeBan(key);
    if (entry === undefined) return false;
    entry.refused++;
    return true;
  }

  /** Whether `address` falls under the ban `key`. */
  covers(key: string, address: string): boolean {
    return banKey(address) === key;
  }

  /** Counts one abuse event; bans the address when its counter reaches the policy's threshold in the window. */
  record(address: string, kind: AbuseKind): void {
    if (!this.policy.enabled) return;
    const key = banKey(address);
    if (key === null || this.activeBan(key) !== undefined) return;
    const t = this.now();
    let c = this.counters.get(key);
    if (c === undefined || t - c.windowStart >= this.policy.windowMs) {
      if (c === undefined && this.counters.size >= MAX_TRACKED_KEYS) this.evictOldestCounter();
      c = { windowStart: t, junk: 0, badAuthorization: 0, flood: 0 };
      this.counters.set(key, c);
    }
    c[kind]++;
    const threshold = this.policy[POLICY_FIELD[kind]];
    if (c[kind] >= threshold) {
      this.counters.delete(key);
      this.ban(key, this.policy.durationMs, `${c[kind]} ${describe(kind)} within ${Math.round(this.policy.windowMs / 1000)} s`);
    }
  }

  /** A per-connection judge of the invalid-share ratio; call `share(valid)` for each verdict. */
  shareJudge(address: string): { share(valid: boolean): void } {
    let valid = 0;
    let invalid = 0;
    return {
      share: (ok: boolean): void => {
        if (ok) valid++;
        else invalid++;
        const total = valid + invalid;
        if (!this.policy.enabled || total < this.policy.minShares) return;
        const percent = (invalid * 100) / total;
        valid = 0;
        invalid = 0;
        if (percent >= this.policy.invalidSharePercent) {
          this.ban(address, this.policy.durationMs, `invalid shares: ${percent.toFixed(0)}% of the last ${total}`);
        }
      },
    };
  }

  list(): BanEntry[] {
    const t = this.now();
    const out: BanEntry[] = [];
    for (const b of this.bans.values()) if (b.until > t) out.push({ key: b.key, reason: b.reason, since: b.since, until: b.until });
    return out.sort((a, b) => a.since - b.since);
  }

  ban(address: string, durationMs: number, reason: string): BanEntry {
    const key = banKey(address);
    if (key === null) throw new RangeError(`cannot ban ${JSON.stringify(address)}: not an IPv4 or IPv6 address`);
    if (!Number.isFinite(durationMs) || durationMs <= 0) throw new RangeError(`ban duration must be a positive number of ms, got ${durationMs}`);
    const since = this.now();
    const existing = this.activeBan(key);
    const entry: LiveBan = {
      key,
      reason: reason.slice(0, 200),
      since: existing?.since ?? since,
      until: Math.max(existing?.until ?? 0, since + durationMs),
      refused: existing?.refused ?? 0,
    };
    if (existing === undefined && this.bans.size >= MAX_BANS) this.evictSoonestBan();
    this.bans.set(key, entry);
    this.counters.delete(key);
    this.log.warn({ ban: key, reason: entry.reason, until: new Date(entry.until).toISOString() }, 'address banned');
    for (const listener of this.listeners) listener(key);
    return { key: entry.key, reason: entry.reason, since: entry.since, until: entry.until };
  }

  lift(key: string): boolean {
    const normalised = banKey(key);
    if (normalised === null) return false;
    const entry = this.bans.get(normalised);
    if (entry === undefined) return false;
    this.bans.delete(normalised);
    this.log.info({ ban: normalised, refused: entry.refused }, 'ban lifted');
    return entry.until > this.now();
  }

  /** Stops the housekeeping timer (the registry stays usable). */
  close(): void {
    clearInterval(this.pruneTimer);
  }

  private activeBan(key: string): LiveBan | undefined {
    const entry = this.bans.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry;
    this.expire(entry);
    return undefined;
  }

  private expire(entry: LiveBan): void {
    this.bans.delete(entry.key);
    this.log.info({ ban: entry.key, reason: entry.reason, refused: entry.refused }, 'ban expired');
  }

  /** Drops expired bans and stale counters (bounded work: both maps are capped). */
  prune(): void {
    const t = this.now();
    for (const entry of this.bans.values()) if (entry.until <= t) this.expire(entry);
    for (const [key, c] of this.counters) if (t - c.windowStart >= this.policy.windowMs) this.counters.delete(key);
  }

  private evictOldestCounter(): void {
    // Map iteration is insertion order: the first key is the one counted longest ago.
    const oldest = this.counters.keys().next().value;
    if (oldest !== undefined) this.counters.delete(oldest);
  }

  private evictSoonestBan(): void {
    let soonest: LiveBan | undefined;
    for (const b of this.bans.values()) if (soonest === undefined || b.until < soonest.until) soonest = b;
    if (soonest !== undefined) this.expire(soonest);
  }
}

function describe(kind: AbuseKind): string {
  return kind === 'junk' ? 'junk lines' : kind === 'flood' ? 'request floods' : 'refused authorizations';
}

export function validateBanPolicy(policy: BanPolicy): BanPolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (name === 'enabled') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`ban policy ${name} must be a positive number, got ${String(value)}`);
    }
  }
  if (policy.invalidSharePercent > 100) throw new RangeError(`ban policy invalidSharePercent must be <= 100, got ${policy.invalidSharePercent}`);
  return policy;
}
