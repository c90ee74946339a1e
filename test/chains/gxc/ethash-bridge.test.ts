import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gxcDifficultyToTarget } from '../../../src/chains/gxc/difficulty.js';
import {
  buildGxcEthashWork,
  checkEthashProof,
  ETHASH_BRIDGE_SCHEME,
  ethashHeaderHash,
  ethashProofInput,
  ethashSubmitBlockJson,
  type EthashBlockFields,
  type SubmittedEthashBlock,
} from '../../../src/chains/gxc/ethash-bridge.js';
import { stringifyExact } from '../../../src/chains/gxc/json-text.js';
import { parseGxcTemplate } from '../../../src/chains/gxc/template.js';
import { buildGxcWork, DEFAULT_MAX_REQUEST_BODY_BYTES, JSONRPC_ENVELOPE_ALLOWANCE } from '../../../src/chains/gxc/work.js';
import { exchange, POOL_ADDRESS, RECORDED_TIME } from './helpers/transcript.js';

const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const recordedTemplate = exchange('template for the pool address').response.result;

function recordedFields(): EthashBlockFields {
  const work = buildGxcWork({
    template: parseGxcTemplate(recordedTemplate, RECORDED_TIME),
    poolAddress: POOL_ADDRESS,
    poolTag: '/t/',
    extranonceSize: 8,
  });
  return { ...work.gxc.fields, timestamp: work.curtime };
}

/** The documented encoding, written out here independently of the implementation. */
function documentedHeaderHash(f: EthashBlockFields): string {
  const str = (s: string): Buffer => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([Buffer.from([b.length]), b]);
  };
  const u64 = (n: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(n);
    return b;
  };
  const f64 = Buffer.alloc(8);
  f64.writeDoubleLE(f.difficulty);
  const cb = f.transactions[0] as { outputs: Array<{ address: string; amount: number }> };
  const ids = f.transactions.map((t) => str(String((t as { hash?: string; txid?: string }).hash ?? (t as { txid?: string }).txid)));
  const e = Buffer.concat([
    str('gxc-ethash-bridge/1'),
    u64(BigInt(f.height)),
    str(f.previousblockhash),
    str(f.miner),
    f64,
    str(cb.outputs[0]!.address),
    u64(BigInt(Math.round(cb.outputs[0]!.amount * 1e8))),
    Buffer.from([f.transactions.length]),
    ...ids,
    u64(BigInt(f.timestamp)),
  ]);
  return sha(sha(e)).toString('hex');
}

function submitted(f: EthashBlockFields, over: Partial<SubmittedEthashBlock> = {}): SubmittedEthashBlock {
  return {
    ...f,
    hash: `000${'a'.repeat(61)}`,
    nonce: 0x0123456789abcdefn,
    pool_bridge: ETHASH_BRIDGE_SCHEME,
    pool_header_hash: ethashHeaderHash(f),
    pool_mix_digest: 'b'.repeat(64),
    ...over,
  };
}

describe('GXC Ethash bridge: the header hash commits to the block', () => {
  it('is sha256d of the documented encoding (domain tag, block fields, timestamp)', () => {
    const f = recordedFields();
    expect(ethashHeaderHash(f)).toBe(documentedHeaderHash(f));
    expect(ethashHeaderHash(f)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with every committed field', () => {
    const f = recordedFields();
    const base = ethashHeaderHash(f);
    const cb = structuredClone(f.transactions[0]!) as { outputs: Array<{ amount: number }> };
    cb.outputs[0]!.amount += 1;
    const variants: EthashBlockFields[] = [
      { ...f, height: f.height + 1 },
      { ...f, previousblockhash: `1${f.previousblockhash.slice(1)}` },
      { ...f, miner: `${f.miner.slice(0, -1)}x` },
      { ...f, difficulty: f.difficulty + 1 },
      { ...f, timestamp: f.timestamp + 1 },
      { ...f, transactions: [cb as (typeof f.transactions)[0]] },
    ];
    const hashes = variants.map(ethashHeaderHash);
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
  });

  it('builds work with the GXC target, the template timestamp and a deterministic header hash', () => {
    const f = recordedFields();
    const work = buildGxcEthashWork(f, { timestamp: f.timestamp, reward: 5_000_000_000n, templateKey: 'k' });
    expect(work.headerHash).toBe(documentedHeaderHash(f));
    expect(work.networkTarget).toBe(gxcDifficultyToTarget(f.difficulty));
    expect(work.height).toBe(f.height);
    expect(work.prevHashDisplay).toBe(f.previousblockhash);
  });

  it('writes the submitblock JSON with consensus_type pow_ethash and the full 64-bit nonce as exact digits', () => {
    const f = recordedFields();
    const block = ethashSubmitBlockJson(f, { nonce: (1n << 64n) - 1n, mixDigest: 'c'.repeat(64), finalHash: `00${'d'.repeat(62)}` });
    const text = stringifyExact([block]);
    expect(text).toContain('"nonce":18446744073709551615,');
    expect(block).toMatchObject({
      consensus_type: 'pow_ethash',
      hash: `00${'d'.repeat(62)}`,
      pool_bridge: 'gxc-ethash-bridge/1',
      pool_header_hash: ethashHeaderHash(f),
      pool_mix_digest: 'c'.repeat(64),
      timestamp: f.timestamp,
      height: f.height,
    });
  });
});

describe('GXC Ethash bridge: re-verification', () => {
  it('accepts a consistent proof and names the first broken part otherwise', () => {
    const f = recordedFields();
    const b = submitted(f);
    const input = ethashProofInput(b);
    expect(input).toEqual({ ok: true, blockNumber: f.height, headerHash: ethashHeaderHash(f), nonce: b.nonce });
    const good = { mixDigest: 'b'.repeat(64), finalHash: b.hash };
    expect(checkEthashProof(b, good)).toBeNull();
    expect(checkEthashProof(b, { ...good, mixDigest: 'e'.repeat(64) })).toMatch(/pool_mix_digest/);
    expect(checkEthashProof(b, { ...good, finalHash: `000${'f'.repeat(61)}` })).toMatch(/not Ethash's final hash/);
    // Recorded difficulty 1: one leading hex zero needed.
    const weak = submitted(f, { hash: 'a'.repeat(64) });
    expect(checkEthashProof(weak, { ...good, finalHash: 'a'.repeat(64) })).toMatch(/does not meet difficulty/);
  });

  it('refuses a block whose fields differ from what the header hash committed to', () => {
    const f = recordedFields();
    const moved = submitted(f, { timestamp: f.timestamp + 60 });
    const r = ethashProofInput(moved);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/does not commit to this block/);
    expect(ethashProofInput(submitted(f, { pool_bridge: 'gxc-sha256d-bridge/1' })).ok).toBe(false);
    expect(ethashProofInput(submitted(f, { pool_mix_digest: 'zz' })).ok).toBe(false);
    expect(ethashProofInput(submitted(f, { nonce: 1n << 64n })).ok).toBe(false);
  });
});

describe('the 8 KB body budget covers the Ethash submission too', () => {
  it('trims a large template so the widest pow_ethash submitblock fits', () => {
    const t = structuredClone(recordedTemplate) as { transactions: Array<Record<string, unknown>> };
    for (let i = 0; i < 60; i++) {
      t.transactions.push({
        hash: createHash('sha256').update(`tx${i}`).digest('hex'),
        inputs: [{ address: 'tGXCsender000000000000000000000000', amount: 1.001, txHash: 'ab'.repeat(32), outputIndex: 0 }],
        outputs: [{ address: 'tGXCreceiver00000000000000000000000', amount: 1, script: 'x'.repeat(40) }],
        fee: 0.001,
        is_coinbase: false,
      });
    }
    const work = buildGxcWork({ template: parseGxcTemplate(t, RECORDED_TIME), poolAddress: POOL_ADDRESS, poolTag: '/t/', extranonceSize: 8 });
    expect(work.gxc.leftOut.length).toBeGreaterThan(0);
    const f = { ...work.gxc.fields, timestamp: 9_999_999_999 };
    const widest = stringifyExact([ethashSubmitBlockJson(f, { nonce: (1n << 64n) - 1n, mixDigest: '0'.repeat(64), finalHash: '0'.repeat(64) })]);
    expect(Buffer.byteLength(widest)).toBeLessThanOrEqual(DEFAULT_MAX_REQUEST_BODY_BYTES - JSONRPC_ENVELOPE_ALLOWANCE);
  });
});
