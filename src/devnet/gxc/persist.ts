/** Saves and loads the devnet chain as one JSON file (bigints tagged), written atomically (temp file + rename). */
import fs from 'node:fs';
import path from 'node:path';
import type { DevTx } from './ledger.js';
import type { DevBlock } from './json-views.js';

export interface SavedChain {
  format: 1;
  network: string;
  walletAddresses: string[];
  blocks: DevBlock[];
  mempool: DevTx[];
}

const BIG = '\u0000bigint:';
export const STATE_FILE = 'gxc-devnet-chain.json';

export function saveChain(dataDir: string, state: SavedChain): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(
    tmp,
    JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v}` : v)),
  );
  fs.renameSync(tmp, file);
}

/** Null when there is no saved chain yet; throws with the file name when it cannot be read. */
export function loadChain(dataDir: string): SavedChain | null {
  const file = path.join(dataDir, STATE_FILE);
  if (!fs.existsSync(file)) return null;
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8'), (_k, v: unknown) =>
      typeof v === 'string' && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : v,
    ) as SavedChain;
    if (state.format !== 1 || !Array.isArray(state.blocks) || state.blocks.length === 0) throw new Error('unknown format');
    return state;
  } catch (err) {
    throw new Error(`GXC devnet state ${file} cannot be read (${(err as Error).message}); move it away to start a new chain`);
  }
}
