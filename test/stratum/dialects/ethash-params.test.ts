import { describe, expect, it } from 'vitest';
import { boundaryHex, checkFullNonce, checkHashrate, checkHex, checkNonceTail } from '../../../src/stratum/dialects/ethash-params.js';
import { EthashExtranonceAllocator } from '../../../src/stratum/dialects/ethash-extranonce.js';

const extranonce = Buffer.from('00a1b2', 'hex');

describe('Ethash wire fields', () => {
  it('reads hashes with or without 0x, lowercased, and names what is wrong', () => {
    const hash = 'AF6B9D24209D754B50394EA7F8A8578B06A3591F0457EA68025D86D8AC924AEF';
    expect(checkHex('header hash', `0x${hash}`, 32)).toEqual({ ok: true, value: hash.toLowerCase() });
    expect(checkHex('header hash', hash, 32)).toEqual({ ok: true, value: hash.toLowerCase() });
    expect(checkHex('mix digest', `0x${hash.slice(2)}`, 32)).toEqual({
      ok: false,
      message: 'mix digest must be 64 hex characters (32 bytes), got 62',
    });
    expect(checkHex('mix digest', `0x${hash.slice(1)}z`, 32)).toMatchObject({ ok: false, message: expect.stringMatching(/^mix digest is not hex/) });
    expect(checkHex('header hash', 42, 32)).toEqual({ ok: false, message: 'header hash must be a hex string, got number' });
  });

  it('reads a full 64-bit nonce big-endian (the eth_submitWork form)', () => {
    expect(checkFullNonce('0x00000000000008c6')).toEqual({ ok: true, value: 0x8c6n });
    expect(checkFullNonce('ffffffffffffffff')).toEqual({ ok: true, value: 0xffffffffffffffffn });
    expect(checkFullNonce('0x8c6')).toEqual({ ok: false, message: 'nonce must be 16 hex characters (8 bytes), got 3' });
  });

  it('puts the connection extranonce in front of an EthereumStratum nonce tail', () => {
    expect(checkNonceTail('00000008c6', extranonce)).toEqual({ ok: true, value: 0x00a1b200000008c6n });
    // A miner that sends the whole nonce is accepted when the prefix is this connection's.
    expect(checkNonceTail('00a1b200000008c6', extranonce)).toEqual({ ok: true, value: 0x00a1b200000008c6n });
    expect(checkNonceTail('11a1b200000008c6', extranonce)).toEqual({
      ok: false,
      message: "nonce 11a1b200000008c6 does not start with this connection's extranonce 00a1b2",
    });
    expect(checkNonceTail('08c6', extranonce)).toEqual({
      ok: false,
      message: 'nonce must be 10 hex characters (the nonce without the 3-byte extranonce 00a1b2), got 4',
    });
    expect(checkNonceTail('zz000008c6', extranonce)).toMatchObject({ ok: false, message: expect.stringMatching(/^nonce is not hex/) });
  });

  it('turns pool difficulty into a boundary with difficulty 1 = 2^32 hashes', () => {
    expect(boundaryHex(1)).toBe(`0x00000001${'0'.repeat(56)}`);
    expect(boundaryHex(0.5)).toBe(`0x00000002${'0'.repeat(56)}`);
    expect(boundaryHex(2 ** 32)).toBe(`0x${'0'.repeat(15)}1${'0'.repeat(48)}`);
    // Raw Ethash difficulty 2^32 * 3 (the recorded difficulty_to_boundary row "3" shifted by 2^32).
    expect(boundaryHex(3)).toBe(`0x00000000${'55'.repeat(28)}`);
    // At or below 2^-32 every hash passes: the boundary is capped at 2^256 - 1.
    expect(boundaryHex(1e-12)).toBe(`0x${'f'.repeat(64)}`);
  });

  it('reads eth_submitHashrate rates', () => {
    expect(checkHashrate('0x0000000000000000000000000000000000000000000000000000000000b71b00')).toEqual({ ok: true, value: 12_000_000 });
    expect(checkHashrate('nope')).toMatchObject({ ok: false });
  });
});

describe('EthereumStratum extranonce allocator', () => {
  it('hands out 3-byte values unique among live sessions, led by the instance byte', () => {
    const alloc = new EthashExtranonceAllocator(7, 4, 0);
    const values = [alloc.allocate(), alloc.allocate(), alloc.allocate(), alloc.allocate()].map((b) => b?.toString('hex'));
    expect(values).toEqual(['070000', '070001', '070002', '070003']);
    expect(alloc.allocate()).toBeNull();
    alloc.release(Buffer.from('070002', 'hex'));
    expect(alloc.allocate()?.toString('hex')).toBe('070002');
    // Another instance's value is not ours to free.
    alloc.release(Buffer.from('080001', 'hex'));
    expect(alloc.liveCount).toBe(4);
  });
});
