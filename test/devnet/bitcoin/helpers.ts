/**
 * Test helpers: build blocks by hand from a getblocktemplate answer (core/* + tx.ts only, nothing from the
 * devnet's own assembler), with one switch per defect the recorded reject vectors exercise.
 */
import { readFileSync } from 'node:fs';
import { bip34HeightPush, pushData } from '../../../src/core/script.js';
import { merkleRoot } from '../../../src/core/merkle.js';
import { sha256d } from '../../../src/core/hash.js';
import { serializeHeader, hashHeader } from '../../../src/core/header.js';
import { bitsToTarget } from '../../../src/core/target.js';
import { reverseBuf, u32LE, varInt } from '../../../src/core/bytes.js';
import { parseTx, serializeTx, txidOf, wtxidOf, type Tx } from '../../../src/chains/bitcoin/tx.js';

export const POOL_SCRIPT = Buffer.from('00145b573008d11778f7a80651980fcab7152136f192', 'hex');

export function loadVectors<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../../shared/testdata/${name}`, import.meta.url), 'utf8')) as T;
}

export interface TemplateTx {
  data: string;
  txid: string;
  hash: string;
  depends: number[];
  fee: number;
}

export interface Template {
  version: number;
  previousblockhash: string;
  transactions: TemplateTx[];
  coinbasevalue: number;
  bits: string;
  curtime: number;
  mintime: number;
  height: number;
  longpollid: string;
  default_witness_commitment: string;
  target: string;
}

export interface BlockOptions {
  extranonce?: Buffer;
  /** Replace the template's transactions (e.g. reordered or dropped). */
  txs?: Tx[];
  coinbaseValueDelta?: bigint;
  /** Full coinbase value (overrides coinbasevalue + delta). */
  coinbaseValue?: bigint;
  /** Coinbase scriptSig override; default = BIP34 height push | extranonce push | tag push. */
  scriptSig?: Buffer;
  commitment?: 'correct' | 'none' | 'from-txids' | 'no-reserved-value';
  /** Coinbase witness reserved value; default present whenever there is a commitment. */
  coinbaseWitness?: boolean;
  noCoinbase?: boolean;
  version?: number;
  prevHashInternal?: Buffer;
  time?: number;
  bits?: number;
  merkle?: 'txids' | 'wtxids' | 'flip-bit';
  pow?: 'valid' | 'high-hash';
}

export interface BuiltBlock {
  hex: string;
  hash: string;
  header: Buffer;
  coinbase: Tx | null;
  txs: Tx[];
}

export function templateTxs(t: Template): Tx[] {
  return t.transactions.map((x) => parseTx(Buffer.from(x.data, 'hex')).tx);
}

export function buildBlock(t: Template, o: BlockOptions = {}): BuiltBlock {
  const txs = o.txs ?? templateTxs(t);
  const extranonce = o.extranonce ?? Buffer.from('0000000100000000', 'hex');
  const value = o.coinbaseValue ?? BigInt(t.coinbasevalue) + (o.coinbaseValueDelta ?? 0n);
  const scriptSig = o.scriptSig ?? Buffer.concat([bip34HeightPush(t.height), pushData(extranonce), pushData(Buffer.from('/devnet test/'))]);
  const commitmentKind = o.commitment ?? 'correct';
  const reserved = Buffer.alloc(32);
  const coinbase: Tx = {
    version: 2,
    inputs: [{ prevTxid: Buffer.alloc(32), prevIndex: 0xffffffff, scriptSig, sequence: 0xffffffff, witness: [] }],
    outputs: [{ value, scriptPubKey: POOL_SCRIPT }],
    locktime: 0,
  };
  if (commitmentKind !== 'none') {
    const leaves = [Buffer.alloc(32), ...txs.map((tx) => (commitmentKind === 'from-txids' ? txidOf(tx) : wtxidOf(tx)))];
    const root = merkleRoot(leaves);
    const commitment = commitmentKind === 'no-reserved-value' ? sha256d(root) : sha256d(Buffer.concat([root, reserved]));
    coinbase.outputs.push({ value: 0n, scriptPubKey: Buffer.concat([Buffer.from('6a24aa21a9ed', 'hex'), commitment]) });
    if (o.coinbaseWitness ?? true) coinbase.inputs[0]!.witness = [reserved];
  }
  const all = o.noCoinbase ? txs : [coinbase, ...txs];
  let root = merkleRoot(all.map((tx) => (o.merkle === 'wtxids' ? wtxidOf(tx) : txidOf(tx))));
  if (o.merkle === 'flip-bit') {
    root = Buffer.from(root);
    root[0] = root[0]! ^ 0x01;
  }
  const bits = o.bits ?? parseInt(t.bits, 16);
  const fields = {
    version: o.version ?? t.version,
    prevHash: o.prevHashInternal ?? reverseBuf(Buffer.from(t.previousblockhash, 'hex')),
    merkleRoot: root,
    time: o.time ?? t.curtime,
    bits,
    nonce: 0,
  };
  const target = decodeTarget(bits);
  const wantValid = (o.pow ?? 'valid') === 'valid';
  let header = serializeHeader(fields);
  for (let tries = 0; tries < 100_000; tries++) {
    header = serializeHeader(fields);
    const ok = hashHeader(header).value <= target;
    if (ok === wantValid) break;
    fields.nonce++;
  }
  const body = Buffer.concat([header, varInt(all.length), ...all.map((tx) => serializeTx(tx, true))]);
  return { hex: body.toString('hex'), hash: hashHeader(header).displayHex, header, coinbase: o.noCoinbase ? null : coinbase, txs: all };
}

/** The target bits encode, or the whole range for encodings above the pow limit (only PoW-invalid anyway). */
function decodeTarget(bits: number): bigint {
  try {
    return bitsToTarget(bits);
  } catch {
    return (1n << 256n) - 1n;
  }
}

export function u32(n: number): Buffer {
  return u32LE(n);
}

/** Minimal JSON-RPC caller returning the HTTP status and the parsed body. */
export async function rpc(
  url: string,
  method: string,
  params: unknown[] | Record<string, unknown> = [],
  opts: { version?: '1.0' | '2.0'; auth?: string; rawBody?: string; signal?: AbortSignal } = {},
): Promise<{ status: number; body: { result?: unknown; error?: { code: number; message: string } | null; id?: unknown } }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth) headers.authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
  const body = opts.rawBody ?? JSON.stringify({ jsonrpc: opts.version ?? '1.0', id: 1, method, params });
  const res = await fetch(url, { method: 'POST', headers, body, signal: opts.signal });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as never) };
}

/** Calls and returns `result`, failing the test on an RPC error. */
export async function call<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await rpc(url, method, params);
  if (r.body.error) throw new Error(`${method} failed: ${r.body.error.code} ${r.body.error.message}`);
  return r.body.result as T;
}
