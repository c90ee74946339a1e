/** Tiny `--name=value` argument reader for the benchmarks (no dependency, numbers and lists only). */

export function argValue(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  const prefix = `--${name}=`;
  const hit = argv.find((a) => a.startsWith(prefix));
  return hit === undefined ? undefined : hit.slice(prefix.length);
}

export function numberArg(name: string, fallback: number, argv?: readonly string[]): number {
  const raw = argValue(name, argv);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${raw}'`);
  return n;
}

export function numberListArg(name: string, fallback: readonly number[], argv?: readonly string[]): number[] {
  const raw = argValue(name, argv);
  if (raw === undefined) return [...fallback];
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n <= 0 || !Number.isInteger(n))) {
    throw new Error(`--${name} must be a comma-separated list of positive integers, got '${raw}'`);
  }
  return list;
}

export function stringArg<T extends string>(name: string, allowed: readonly T[], fallback: T, argv?: readonly string[]): T {
  const raw = argValue(name, argv);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}
