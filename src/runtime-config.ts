/**
 * The settings a running process can take from a new configuration (SIGHUP) mapped to what each part takes: the
 * Stratum limits and the ban policy. Start-up uses the same mapping, so a reload and a restart agree.
 */
import type { Config } from './config/schema.js';
import type { BanPolicy } from './stratum/bans.js';
import type { StratumLimits } from './stratum/server.js';

export function banPolicyFrom(cfg: Config): BanPolicy {
  const b = cfg.stratum.bans;
  return {
    enabled: b.enabled,
    durationMs: b.durationSeconds * 1000,
    invalidSharePercent: b.invalidSharePercent,
    minShares: b.minShares,
    junkLines: b.junkLines,
    badAuthorizations: b.badAuthorizations,
    floods: b.floods,
    windowMs: b.windowSeconds * 1000,
  };
}

/** The Stratum limits a config sets (the others keep the server's defaults). */
export function stratumLimitsFrom(cfg: Config): Partial<StratumLimits> {
  return {
    maxConnections: cfg.stratum.maxConnections,
    maxConnectionsPerIp: cfg.stratum.maxConnectionsPerIp,
    idleTimeoutMs: cfg.stratum.idleTimeoutSeconds * 1000,
  };
}
