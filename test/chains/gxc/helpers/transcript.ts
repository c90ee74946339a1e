/** The real GXC node's recorded answers (../shared/testdata/gxc-node-transcript.json), loaded at test time. */
import fs from 'node:fs';
import { parseNlohmann, type NJson } from '../../../../src/devnet/gxc/nlohmann-json.js';

export interface Exchange {
  note: string;
  request: Record<string, unknown> | string;
  http_status: number;
  response: { id: unknown; jsonrpc: string; result?: unknown; error?: { code: number; message: string } };
}

export const TRANSCRIPT_URL = new URL('../../../../../shared/testdata/gxc-node-transcript.json', import.meta.url);
const text = fs.readFileSync(TRANSCRIPT_URL, 'utf8');
export const transcript = JSON.parse(text) as { source: string; exchanges: Exchange[] };
/** The same file read with doubles kept as doubles ("1.0" stays 1.0), to compare byte for byte with dumps. */
export const transcriptExact = parseNlohmann(text, { keepDoubles: true }) as { exchanges: Array<{ request: NJson; response: NJson }> };

export function exchange(note: string): Exchange {
  const found = transcript.exchanges.find((e) => e.note === note);
  if (!found) throw new Error(`transcript has no exchange "${note}"`);
  return found;
}

export function exchangeIndex(note: string): number {
  const i = transcript.exchanges.findIndex((e) => e.note === note);
  if (i < 0) throw new Error(`transcript has no exchange "${note}"`);
  return i;
}

export const POOL_ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';
export const NODE_WALLET = 'tGXC112aaee551581a8aa7537fa41d74a79cf5';
export const GENESIS_HASH = '70bd27081ad34aece8034e2c5ad62e033dc318a97cd6af2c3bb509b59a9707e2';
export const RECORDED_TIME = 1795548587;
