import { describe, expect, it } from 'vitest';
import { gxcNetworkOfAddress, isNodeValidGxcAddress, validateGxcAddress } from '../../../src/chains/gxc/address.js';
import { gxcAmountToUnits, gxcSubsidyUnits, unitsToGxcDecimal } from '../../../src/chains/gxc/amounts.js';
import {
  gxcDifficultyToTarget,
  gxcTargetBits,
  leadingHexZeros,
  meetsGxcDifficulty,
  requiredLeadingZeros,
} from '../../../src/chains/gxc/difficulty.js';
import { describeGxcSubmitRefusal } from '../../../src/chains/gxc/errors.js';
import { exchange, NODE_WALLET, POOL_ADDRESS } from './helpers/transcript.js';

describe('GXC difficulty (leading hex zeros) <-> target', () => {
  it('difficulty d admits exactly the hashes below 16^(64 - floor(d))', () => {
    expect(gxcDifficultyToTarget(1)).toBe((1n << 252n) - 1n);
    expect(gxcDifficultyToTarget(5)).toBe((1n << 236n) - 1n);
    expect(gxcDifficultyToTarget(1.9999)).toBe(gxcDifficultyToTarget(1));
    expect(gxcDifficultyToTarget(0.5)).toBe((1n << 256n) - 1n);
    expect(requiredLeadingZeros(64.5)).toBe(64);
    expect(() => requiredLeadingZeros(-1)).toThrow(/finite number/);
    // The boundary: 0fff...f is a block at d=1, 1000...0 is not.
    const t = gxcDifficultyToTarget(1);
    expect(BigInt('0x0' + 'f'.repeat(63)) <= t).toBe(true);
    expect(BigInt('0x1' + '0'.repeat(63)) <= t).toBe(false);
  });

  it('agrees with the node on the recorded hashes', () => {
    const bad = exchange('hash without enough leading zeros -> rejected');
    const good = exchange('valid block (node-style hash) -> null = accepted');
    const badHash = (bad.request as { params: Array<{ hash: string }> }).params[0]!.hash;
    const goodHash = (good.request as { params: Array<{ hash: string }> }).params[0]!.hash;
    expect(leadingHexZeros(badHash)).toBe(0);
    expect(bad.response.error?.message).toContain('Hash has 0 leading zeros, requires 1');
    expect(meetsGxcDifficulty(badHash, 1)).toBe(false);
    expect(meetsGxcDifficulty(goodHash, 1)).toBe(true);
    expect(BigInt('0x' + goodHash) <= gxcDifficultyToTarget(1)).toBe(true);
    expect(BigInt('0x' + badHash) <= gxcDifficultyToTarget(1)).toBe(false);
  });

  it('writes the GXC target as compact bits for the header', () => {
    expect(gxcTargetBits(1).toString(16)).toBe('200fffff');
    expect(gxcTargetBits(5).toString(16)).toBe('1e0fffff');
    expect(gxcTargetBits(8).toString(16)).toBe('1d00ffff');
  });
});

describe('GXC amounts', () => {
  it('converts node floats to units and back exactly', () => {
    expect(gxcAmountToUnits(50)).toBe(5_000_000_000n);
    expect(gxcAmountToUnits(0.001)).toBe(100_000n);
    expect(gxcAmountToUnits(0.1 + 0.2)).toBe(30_000_000n);
    expect(gxcAmountToUnits('1.50000001')).toBe(150_000_001n);
    expect(unitsToGxcDecimal(150_000_000n)).toBe('1.5');
    expect(unitsToGxcDecimal(1n)).toBe('0.00000001');
    expect(unitsToGxcDecimal(5_000_000_000n)).toBe('50');
    expect(() => gxcAmountToUnits(-1)).toThrow();
    expect(gxcSubsidyUnits(1)).toBe(5_000_000_000n);
    expect(gxcSubsidyUnits(1_051_200)).toBe(2_500_000_000n);
  });
});

describe('GXC addresses', () => {
  it('accepts what the node accepts, on the right network', () => {
    const valid = exchange('valid testnet address');
    expect((valid.response.result as { isvalid: boolean }).isvalid).toBe(true);
    expect(isNodeValidGxcAddress(POOL_ADDRESS)).toBe(true);
    expect(isNodeValidGxcAddress('x')).toBe((exchange('too short').response.result as { isvalid: boolean }).isvalid);
    expect(validateGxcAddress(POOL_ADDRESS, 'testnet')).toBeNull();
    expect(validateGxcAddress(NODE_WALLET, 'testnet')).toBeNull();
    expect(validateGxcAddress(POOL_ADDRESS, 'mainnet')).toMatch(/testnet address/);
    expect(validateGxcAddress('GXC' + 'a'.repeat(30), 'mainnet')).toBeNull();
    expect(validateGxcAddress('x', 'testnet')).toMatch(/26-62/);
    expect(validateGxcAddress('tGXC' + 'a'.repeat(59), 'testnet')).toMatch(/26-62/);
    expect(validateGxcAddress('tGXC-3tz6MsTbP2NCMvc33JixQdkQi6tf', 'testnet')).toMatch(/letters and digits/);
    expect(validateGxcAddress('bc1' + 'q'.repeat(30), 'testnet')).toMatch(/start with tGXC/);
    expect(gxcNetworkOfAddress('GXCabc')).toBe('mainnet');
  });
});

describe('GXC -32603 refusals', () => {
  it('turns each recorded refusal into a clear reason', () => {
    const cases: Array<[string, string]> = [
      ['hash without enough leading zeros -> rejected', 'high-hash'],
      ['difficulty field not equal to network difficulty -> rejected', 'difficulty-mismatch'],
      ['timestamp too far in the future -> rejected', 'bad-timestamp'],
      ['wrong previousblockhash -> rejected', 'validation-failed'],
      ['same block again -> rejected (stale)', 'stale'],
    ];
    for (const [note, kind] of cases) {
      const e = exchange(note);
      expect(e.response.error?.code).toBe(-32603);
      const r = describeGxcSubmitRefusal(e.response.error!.message);
      expect(r.kind).toBe(kind);
      expect(r.reason.startsWith(`${kind}: `)).toBe(true);
      expect(r.reason).toContain(e.response.error!.message);
    }
    expect(describeGxcSubmitRefusal('Failed to submit block: Stale block').reason).toMatch(/^stale: stale block/);
    expect(describeGxcSubmitRefusal('Failed to submit block: Block validation failed').reason).toMatch(/validation failed/);
  });

  it("names the node's supply bug as the node's fault", () => {
    const r = describeGxcSubmitRefusal('Failed to submit block: Coinbase reward exceeds maximum. Actual: 50.000000 GXC, Max allowed: 0.000000 GXC');
    expect(r.kind).toBe('node-bug-supply');
    expect(r.reason).toMatch(/node's fault/);
    expect(r.reason).toMatch(/not counted as found/);
    const real = describeGxcSubmitRefusal(
      'Failed to submit block: Coinbase reward exceeds maximum. Actual: 60.000000 GXC, Max allowed: 50.000000 GXC',
    );
    expect(real.kind).toBe('reward-too-high');
  });
});
