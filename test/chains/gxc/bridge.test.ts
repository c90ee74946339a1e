import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BRIDGE_HEADER_VERSION, bridgeCommitment, verifyBridgedBlock, type SubmittedBridgeBlock } from '../../../src/chains/gxc/bridge.js';
import { gxcDifficultyToTarget } from '../../../src/chains/gxc/difficulty.js';
import { parseGxcTemplate } from '../../../src/chains/gxc/template.js';
import { buildGxcWork, submitBlockJson, type GxcWork } from '../../../src/chains/gxc/work.js';
import { parseTx, txidOf } from '../../../src/chains/bitcoin/tx.js';
import { mineWork } from './helpers/mine.js';
import { exchange, POOL_ADDRESS, RECORDED_TIME } from './helpers/transcript.js';

const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const recordedTemplate = exchange('template for the pool address').response.result;

function workFromRecording(extranonceSize = 8): GxcWork {
  return buildGxcWork({ template: parseGxcTemplate(recordedTemplate, RECORDED_TIME), poolAddress: POOL_ADDRESS, poolTag: '/test/', extranonceSize });
}

function submitted(work: GxcWork, s: ReturnType<typeof mineWork>): SubmittedBridgeBlock {
  const coinbase = Buffer.concat([work.coinb1, s.extranonce1, s.extranonce2, work.coinb2]);
  const json = submitBlockJson(work.gxc.fields, { hash: s.hashDisplay, nonce: s.nonce, timestamp: s.ntime, header: s.header, coinbase });
  return {
    ...work.gxc.fields,
    hash: s.hashDisplay,
    nonce: s.nonce,
    timestamp: s.ntime,
    pool_header: json.pool_header,
    pool_coinbase: json.pool_coinbase,
    pool_merkle_branch: json.pool_merkle_branch,
  };
}

describe('SHA-256d bridge work from the recorded GXC template', () => {
  it('builds a standard job: GXC prev hash, GXC target, empty branch, Bitcoin-format coinbase', () => {
    const work = workFromRecording();
    expect(work.height).toBe(1);
    expect(work.prevHashDisplay).toBe('70bd27081ad34aece8034e2c5ad62e033dc318a97cd6af2c3bb509b59a9707e2');
    expect(Buffer.from(work.prevHashInternal).reverse().toString('hex')).toBe(work.prevHashDisplay);
    expect(work.networkTarget).toBe(gxcDifficultyToTarget(1));
    expect(work.version).toBe(BRIDGE_HEADER_VERSION);
    expect(work.merkleBranch).toEqual([]);
    expect(work.reward).toBe(5_000_000_000n);
    expect(work.txCount).toBe(1);
    expect(work.curtime).toBe(RECORDED_TIME);
    // The coinbase parses as a Bitcoin transaction; scriptSig = height push, tag push, extranonce push.
    const en = Buffer.from('0011223344556677', 'hex');
    const cb = parseTx(Buffer.concat([work.coinb1, en, work.coinb2])).tx;
    const script = cb.inputs[0]!.scriptSig;
    expect(script.subarray(0, 1).toString('hex')).toBe('51'); // OP_1 for height 1 (BIP34 form)
    expect(script.subarray(1, 8)).toEqual(Buffer.concat([Buffer.from([6]), Buffer.from('/test/')]));
    expect(script.subarray(8)).toEqual(Buffer.concat([Buffer.from([8]), en]));
    expect(cb.outputs).toHaveLength(1);
    expect(cb.outputs[0]!.value).toBe(0n);
    expect(cb.outputs[0]!.scriptPubKey.subarray(0, 6).toString('hex')).toBe('6a2447584301');
    expect(cb.outputs[0]!.scriptPubKey.subarray(6)).toEqual(bridgeCommitment(work.gxc.fields));
    expect(work.templateKey).toBe(bridgeCommitment(work.gxc.fields).toString('hex'));
  });

  it('commits to sha256d of the documented canonical encoding (recomputed here independently)', () => {
    const work = workFromRecording();
    const f = work.gxc.fields;
    const s = (x: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(x)]), Buffer.from(x)]);
    const u64 = (n: bigint): Buffer => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(n);
      return b;
    };
    const d = Buffer.alloc(8);
    d.writeDoubleLE(1.0);
    const encoding = Buffer.concat([
      s('gxc-sha256d-bridge/1'),
      u64(1n),
      s('70bd27081ad34aece8034e2c5ad62e033dc318a97cd6af2c3bb509b59a9707e2'),
      s(POOL_ADDRESS),
      d,
      s(POOL_ADDRESS),
      u64(5_000_000_000n),
      Buffer.from([1]),
      s('6e66950b137602f73e5ff21498b11a66be9b33f8fda2e4c4463f8d809e83ef4f'),
    ]);
    expect(bridgeCommitment(f)).toEqual(sha(sha(encoding)));
  });

  it('a mined header proves the block: hash = sha256d(header), and the header commits to the block', () => {
    const work = workFromRecording();
    const s = mineWork(work);
    expect(BigInt('0x' + s.hashDisplay) <= work.networkTarget).toBe(true);
    expect(s.hashDisplay.startsWith('0')).toBe(true);
    const block = submitted(work, s);
    expect(verifyBridgedBlock(block)).toBeNull();
    // The header's merkle root is the txid of the submitted coinbase.
    const coinbase = Buffer.from(block.pool_coinbase as string, 'hex');
    expect(txidOf(parseTx(coinbase).tx)).toEqual(s.header.subarray(36, 68));
  });

  it('refuses every kind of nonsense a pool could submit', () => {
    const work = workFromRecording();
    const s = mineWork(work);
    const ok = submitted(work, s);
    const expectRefused = (b: SubmittedBridgeBlock, re: RegExp): void => expect(verifyBridgedBlock(b)).toMatch(re);
    expectRefused({ ...ok, hash: '0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, /is not sha256d\(pool_header\)/);
    expectRefused({ ...ok, nonce: s.nonce + 1 }, /header nonce/);
    expectRefused({ ...ok, timestamp: s.ntime + 1 }, /header time/);
    expectRefused({ ...ok, previousblockhash: '0'.repeat(64) }, /prevhash/);
    expectRefused({ ...ok, difficulty: 2 }, /bits/);
    expectRefused({ ...ok, miner: 'tGXC' + 'b'.repeat(30) }, /commitment does not match/);
    expectRefused({ ...ok, transactions: [...ok.transactions, { hash: 'ab'.repeat(32), txid: 'ab'.repeat(32) }] }, /commitment does not match/);
    const cb0 = ok.transactions[0]!;
    const richer = { ...cb0, outputs: [{ address: POOL_ADDRESS, amount: 51 }] };
    expectRefused({ ...ok, transactions: [richer] }, /commitment does not match/);
    expectRefused({ ...ok, pool_header: 'zz' }, /160 hex/);
    // A coinbase from other work: its txid is not the header's merkle root.
    const other = mineWork(workFromRecording(4), { extranonce1: Buffer.from('ffffffff', 'hex'), extranonce2: Buffer.alloc(0) });
    const otherCoinbase = Buffer.concat([workFromRecording(4).coinb1, other.extranonce1, other.extranonce2, workFromRecording(4).coinb2]);
    expectRefused({ ...ok, pool_coinbase: otherCoinbase.toString('hex') }, /merkle root does not commit/);
  });

  it('works with 64-bit-style exact nonces as bigint', () => {
    const work = workFromRecording();
    const s = mineWork(work);
    expect(verifyBridgedBlock({ ...submitted(work, s), nonce: BigInt(s.nonce) })).toBeNull();
    expect(verifyBridgedBlock({ ...submitted(work, s), nonce: BigInt(s.nonce) + (1n << 32n) })).toMatch(/header nonce/);
  });
});
