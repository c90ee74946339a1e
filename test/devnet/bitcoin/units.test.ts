/** Pieces of the devnet on their own: JSON text, BTC amounts, genesis, difficulty schedule and printing. */
import { describe, expect, it } from 'vitest';
import { bitsToTarget } from '../../../src/core/target.js';
import { duplicateKeysOf, JsonNumber, JsonSyntaxError, parseJson, stringifyJson, type RpcJsonObject } from '../../../src/devnet/bitcoin/json.js';
import { AmountError, formatBtc, parseBtcAmount } from '../../../src/devnet/bitcoin/amount.js';
import { buildGenesis } from '../../../src/devnet/bitcoin/genesis.js';
import { blockHash, parseBlock, serializeBlock, txMerkleRoot } from '../../../src/devnet/bitcoin/block.js';
import { BitcoinDevnetChain } from '../../../src/devnet/bitcoin/chain.js';
import { blockSubsidy, DEFAULT_BITS, expectedBits, normalizeBits, POW_LIMIT } from '../../../src/devnet/bitcoin/params.js';
import { difficultyOf, formatG16 } from '../../../src/devnet/bitcoin/views.js';
import { legacySigOps } from '../../../src/devnet/bitcoin/checks.js';
import { loadVectors } from './helpers.js';
import { template } from './fixture.js';

describe('json text', () => {
  it('keeps number text, records duplicate keys, and refuses malformed input', () => {
    const v = parseJson('{"a": 0.1, "b": [1e-8, -2], "a": "x", "__proto__": 5}') as RpcJsonObject;
    expect(v.a).toBe('x');
    expect(duplicateKeysOf(v)).toEqual(['a']);
    expect((v.b as JsonNumber[])[0]!.text).toBe('1e-8');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toContain('__proto__');
    for (const bad of ['', '{', '[1,]', '{"a" 1}', 'tru', '01', '"\\x"', '1 2', '"a\nb"']) expect(() => parseJson(bad), bad).toThrow(JsonSyntaxError);
    expect(stringifyJson({ amount: new JsonNumber('50.00000000'), skip: undefined, s: 'q"', n: [1, null] })).toBe(
      '{"amount":50.00000000,"s":"q\\"","n":[1,null]}',
    );
  });
});

describe('BTC amounts', () => {
  it('parses exactly to satoshi and prints 8 decimals', () => {
    expect(parseBtcAmount('0.1')).toBe(10_000_000n);
    expect(parseBtcAmount(new JsonNumber('21000000.00000000'))).toBe(2_100_000_000_000_000n);
    expect(parseBtcAmount(new JsonNumber('1e-8'))).toBe(1n);
    expect(parseBtcAmount(0.30000001)).toBe(30_000_001n);
    expect(parseBtcAmount('1.10000000')).toBe(110_000_000n);
    expect(() => parseBtcAmount('0.000000001')).toThrow('Invalid amount');
    expect(() => parseBtcAmount('-0.1')).toThrow('Amount out of range');
    expect(() => parseBtcAmount('21000000.00000001')).toThrow('Amount out of range');
    expect(() => parseBtcAmount('1,5')).toThrow(AmountError);
    expect(formatBtc(5_000_020_440n)).toBe('50.00020440');
    expect(formatBtc(-1_410n)).toBe('-0.00001410');
  });
});

describe('genesis and consensus parameters', () => {
  it('genesis is a real block: serializes, parses back, meets its bits, merkle root = coinbase txid', () => {
    const g = buildGenesis();
    const raw = serializeBlock(g);
    const back = parseBlock(raw);
    expect(serializeBlock(back).equals(raw)).toBe(true);
    expect(blockHash(g).value <= bitsToTarget(g.header.bits)).toBe(true);
    expect(g.header.merkleRoot.equals(txMerkleRoot(g.txs))).toBe(true);
    expect(new BitcoinDevnetChain().genesis.hash).toBe(blockHash(g).displayHex);
  });

  it('default bits take a 0.5–1 MH/s core 5–10 s on average; the bootstrap uses the pow limit', () => {
    const expectedHashes = Number((1n << 256n) / (bitsToTarget(DEFAULT_BITS) + 1n));
    expect(expectedHashes).toBeGreaterThan(0.5e6 * 5);
    expect(expectedHashes).toBeLessThan(1e6 * 10);
    expect(expectedBits({ bits: DEFAULT_BITS, bootstrapHeight: 110 }, 110)).toBe('207fffff');
    expect(expectedBits({ bits: DEFAULT_BITS, bootstrapHeight: 110 }, 111)).toBe(DEFAULT_BITS);
    expect(bitsToTarget('207fffff')).toBe(POW_LIMIT);
    expect(() => normalizeBits('2100ffff')).toThrow(/easier than the pow limit/);
    expect(() => normalizeBits('zz')).toThrow();
  });

  it('subsidy halves every 150 blocks, as the recorded regtest node', () => {
    const v = loadVectors<{ subsidy_halving: Array<{ template_height: number; coinbasevalue: number }> }>('bitcoin-regtest-templates.json');
    for (const s of v.subsidy_halving) expect(blockSubsidy(s.template_height)).toBe(BigInt(s.coinbasevalue));
  });

  it('a chain with the default bits asks for them above the bootstrap height', () => {
    const chain = new BitcoinDevnetChain({ bootstrapHeight: 0 });
    expect(template(chain).bits).toBe(DEFAULT_BITS);
    expect(new BitcoinDevnetChain({ bootstrapHeight: 1 }).contextAfter(new BitcoinDevnetChain().genesis).expectedBits).toBe(0x207fffff);
  });

  it('difficulty prints like Core (%.16g), e.g. the recorded regtest value', () => {
    const v = loadVectors<{ mined_block: { getblock_verbosity_2: { difficulty: number } } }>('bitcoin-regtest-templates.json');
    expect(difficultyOf(0x207fffff).text).toBe(String(v.mined_block.getblock_verbosity_2.difficulty));
    expect(difficultyOf(0x1d00ffff).text).toBe('1');
    expect(formatG16(123456.5)).toBe('123456.5');
    expect(formatG16(0.00012)).toBe('0.00012');
    expect(formatG16(1.5e-5)).toBe('1.5e-05');
    expect(formatG16(2 ** 60)).toBe('1.152921504606847e+18');
  });

  it('counts legacy sigops like Core (multisig = 20, pushes skipped, truncated push ends the script)', () => {
    expect(legacySigOps(Buffer.from('76a914' + '00'.repeat(20) + '88ac', 'hex'))).toBe(1);
    expect(legacySigOps(Buffer.from('ae', 'hex'))).toBe(20);
    expect(legacySigOps(Buffer.from('02acac' + 'ac', 'hex'))).toBe(1);
    expect(legacySigOps(Buffer.from('4c05acac', 'hex'))).toBe(0);
  });
});
