export interface StratumEndpoint {
  host: string;
  port: number;
}

/** Parses stratum+tcp://host:port (also tcp://host:port and bare host:port) with a precise error otherwise. */
export function parseStratumUrl(url: string): StratumEndpoint {
  const m = /^(?:([a-z0-9+.-]+):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/\s@]+):(\d{1,5})\/?$/.exec(url.trim());
  if (!m) throw new Error(`miner url must look like stratum+tcp://host:port, got "${url}"`);
  const scheme = m[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'stratum+tcp' && scheme !== 'tcp') {
    throw new Error(`miner url scheme "${scheme}://" is not supported (use stratum+tcp://)`);
  }
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`miner url port ${port} is out of range`);
  return { host: m[2]!.replace(/^\[(.*)\]$/, '$1'), port };
}
