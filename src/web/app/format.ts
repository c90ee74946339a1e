/**
 * How figures are shown: hashrates and difficulties in human units, coin amounts with 8 decimals, times relative
 * to now. Pure functions (no DOM), tested under Node.
 */

const HASH_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'] as const;

/** 1234567 → "1.23 MH/s"; three significant digits, SI steps of 1000, capped at EH/s. */
export function formatHashrate(hashesPerSecond: number | null | undefined): string {
  if (hashesPerSecond === null || hashesPerSecond === undefined || !Number.isFinite(hashesPerSecond)) return '—';
  if (hashesPerSecond <= 0) return '0 H/s';
  let unit = 0;
  let value = hashesPerSecond;
  while (value >= 1000 && unit < HASH_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${significant(value)} ${HASH_UNITS[unit]}`;
}

const SI_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'] as const;

/** Share and network difficulties: 0.0001 stays 0.0001, 1.5e12 → "1.5 T". */
export function formatDifficulty(difficulty: number | null | undefined): string {
  if (difficulty === null || difficulty === undefined || !Number.isFinite(difficulty)) return '—';
  if (difficulty === 0) return '0';
  if (Math.abs(difficulty) < 1000) return difficulty < 0.01 ? Number(difficulty.toPrecision(3)).toString() : significant(difficulty);
  let unit = 0;
  let value = difficulty;
  while (Math.abs(value) >= 1000 && unit < SI_SUFFIXES.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${significant(value)} ${SI_SUFFIXES[unit]}`;
}

function significant(value: number): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

/**
 * Exact coin amount from integer units (1e-8), e.g. "1234500000" → "12.34500000". Strings stay strings so no
 * amount goes through floating point.
 */
export function formatCoinUnits(units: string | bigint, symbol?: string): string {
  const text = typeof units === 'bigint' ? units.toString() : units.trim();
  if (!/^-?\d+$/.test(text)) return '—';
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).padStart(9, '0');
  const whole = digits.slice(0, -8).replace(/^0+(?=\d)/, '');
  const amount = `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${digits.slice(-8)}`;
  return symbol ? `${amount} ${symbol}` : amount;
}

/** A decimal coin string from the API ("12.345") with exactly 8 decimals. */
export function formatCoins(coins: string | number | null | undefined, symbol?: string): string {
  if (coins === null || coins === undefined) return '—';
  const text = typeof coins === 'number' ? coins.toFixed(8) : coins.trim();
  const m = /^(-?)(\d+)(?:\.(\d{0,8})\d*)?$/.exec(text);
  if (!m) return '—';
  const units = `${m[1]}${m[2]}${(m[3] ?? '').padEnd(8, '0')}`;
  return formatCoinUnits(units.replace(/^(-?)0+(?=\d)/, '$1'), symbol);
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "in 4 s" for a clock slightly ahead. */
export function formatRelativeTime(time: number | string | Date | null | undefined, now: number = Date.now()): string {
  const ms = toMillis(time);
  if (ms === null) return 'never';
  const delta = Math.round((now - ms) / 1000);
  const abs = Math.abs(delta);
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 86_400
          ? `${Math.floor(abs / 3600)} h`
          : `${Math.floor(abs / 86_400)} d`;
  if (abs < 2) return 'just now';
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** The exact time for a title attribute: "2026-12-02 12:54:37 UTC". */
export function formatExactTime(time: number | string | Date | null | undefined): string {
  const ms = toMillis(time);
  if (ms === null) return '';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

export function toMillis(time: number | string | Date | null | undefined): number | null {
  if (time === null || time === undefined) return null;
  const ms = time instanceof Date ? time.getTime() : typeof time === 'number' ? time : Date.parse(time);
  // Epoch 0 is how the seed's last_seen says "never".
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** Durations for template ages and windows: 75 → "1 min 15 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d`;
}

/** Effort as a percentage: 0.873 → "87.3 %". */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Long hashes and addresses shortened in the middle for tables: "0000ab…9f3e". */
export function shortHash(value: string, keep = 8): string {
  return value.length <= keep * 2 + 1 ? value : `${value.slice(0, keep)}…${value.slice(-keep)}`;
}
