/**
 * Saves the devnet to one JSON file in its data dir and loads it back by replaying every stored block through
 * the normal validation path (so a restored chain is exactly as valid as a live one).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serializeTx } from '../../chains/bitcoin/tx.js';
import { serializeBlock } from './block.js';
import type { BitcoinDevnetChain } from './chain.js';
import { parseTxStrict } from './block.js';
import type { DevnetWallet, OwnedScript } from './wallet.js';
import type { ScriptKind } from './keys.js';

export const STATE_FILE = 'devnet-bitcoin.json';
const FORMAT = 'gxc-pool-devnet-bitcoin/1';

interface SavedScript {
  address: string;
  kind: ScriptKind;
  pubkey: string | null;
  internal: boolean;
  label: string;
}

interface SavedState {
  format: string;
  params: { bits: string; bootstrapHeight: number };
  genesis: string;
  blocks: string[];
  invalidated: string[];
  mempool: string[];
  wallet: { scripts: SavedScript[]; txs: Array<{ txid: string; time: number; comment: string | null }> };
}

export function statePath(dataDir: string): string {
  return path.join(dataDir, STATE_FILE);
}

export function snapshot(chain: BitcoinDevnetChain, wallet: DevnetWallet): SavedState {
  const entries = chain.allEntries().filter((e) => e !== chain.genesis && e.block && (!e.failure || e.manuallyInvalidated));
  return {
    format: FORMAT,
    params: { ...chain.params },
    genesis: chain.genesis.hash,
    blocks: entries.map((e) => serializeBlock(e.block!).toString('hex')),
    invalidated: entries.filter((e) => e.manuallyInvalidated).map((e) => e.hash),
    mempool: chain.mempool.list().map((m) => serializeTx(m.tx, true).toString('hex')),
    wallet: {
      scripts: wallet.ownedScripts().map((s) => ({
        address: s.address,
        kind: s.kind,
        pubkey: s.pubkey?.toString('hex') ?? null,
        internal: s.internal,
        label: s.label,
      })),
      txs: wallet.walletTxs().map((t) => ({ txid: t.txid, time: t.timeReceived, comment: t.comment })),
    },
  };
}

export async function saveState(dataDir: string, chain: BitcoinDevnetChain, wallet: DevnetWallet): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = statePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(snapshot(chain, wallet)));
  await rename(tmp, file);
}

/** Reads the saved state, or null when there is none yet. */
export async function readState(dataDir: string): Promise<SavedState | null> {
  let text: string;
  try {
    text = await readFile(statePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const state = JSON.parse(text) as SavedState;
  if (state.format !== FORMAT) throw new Error(`${statePath(dataDir)} is not a bitcoin devnet state file (format ${String(state.format)})`);
  return state;
}

/** Replays a saved state into a fresh chain + wallet built with the same parameters. */
export function restoreState(state: SavedState, chain: BitcoinDevnetChain, wallet: DevnetWallet): void {
  if (state.params.bits !== chain.params.bits || state.params.bootstrapHeight !== chain.params.bootstrapHeight) {
    throw new Error(
      `the saved devnet chain uses bits ${state.params.bits} / bootstrap height ${state.params.bootstrapHeight}, ` +
        `not ${chain.params.bits} / ${chain.params.bootstrapHeight}: use another data dir or the same settings`,
    );
  }
  if (state.genesis !== chain.genesis.hash) throw new Error('the saved devnet chain has a different genesis block');
  for (const s of state.wallet.scripts) {
    const owned: Omit<OwnedScript, 'scriptHex'> = {
      address: s.address,
      kind: s.kind,
      pubkey: s.pubkey === null ? null : Buffer.from(s.pubkey, 'hex'),
      internal: s.internal,
      label: s.label,
    };
    wallet.restoreScript(owned);
  }
  for (const hex of state.blocks) {
    const answer = chain.submitBlock(hex);
    if (answer !== null && answer !== 'inconclusive' && answer !== 'duplicate') {
      throw new Error(`saved devnet block was refused on replay: ${answer}`);
    }
  }
  for (const hash of state.invalidated) if (chain.get(hash)) chain.invalidateBlock(hash);
  for (const hex of state.mempool) chain.acceptToMempool(parseTxStrict(Buffer.from(hex, 'hex'), 0).tx);
  for (const t of state.wallet.txs) wallet.restoreTxMeta(t.txid, t.time, t.comment);
}
