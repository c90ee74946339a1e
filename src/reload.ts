/**
 * What a configuration reload (SIGHUP) can change in a running process, and what needs a restart. Live: Stratum
 * limits and ban policy, difficulty bounds, payout scheme/fee/minimum/interval, TLS certificate files (re-read on
 * every reload, even at the same path), shutdown behaviour. Everything else (node, store, ports including TLS
 * ports, bind addresses, extranonce size, coinbase tag, log level) is
 * read once at start: a changed value is reported and left as it was.
 */
import type { Config } from './config/schema.js';

export interface ReloadReport {
  /** Dotted keys whose new value is now in force. */
  applied: string[];
  /** Dotted keys that changed but only take effect after a restart (the old value stays in force). */
  needsRestart: string[];
}

const LIVE_PREFIXES = [
  'stratum.maxConnections',
  'stratum.maxConnectionsPerIp',
  'stratum.idleTimeoutSeconds',
  'stratum.bans',
  'stratum.tls',
  'stratum.shutdown',
  'difficulty',
  'payouts',
];

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
}

/** The dotted keys whose values differ between two configurations, split into live and restart-only. */
export function diffConfig(current: Config, next: Config): ReloadReport {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(current, '', a);
  flatten(next, '', b);
  const changed = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
  const isLive = (key: string): boolean => LIVE_PREFIXES.some((p) => key === p || key.startsWith(`${p}.`));
  return { applied: changed.filter(isLive), needsRestart: changed.filter((k) => !isLive(k)) };
}

/** Whether the ledgers must be restarted to pick up new payout settings. */
export function payoutsChanged(report: ReloadReport): boolean {
  return report.applied.some((k) => k.startsWith('payouts.'));
}
