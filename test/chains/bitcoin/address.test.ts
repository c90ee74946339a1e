import { describe, expect, it } from 'vitest';
import { loadVector } from '../../helpers/vectors.js';
import {
  AddressError,
  addressToScript,
  isBitcoinNetwork,
  scriptToAddress,
  validateAddress,
  type BitcoinNetwork,
} from '../../../src/chains/bitcoin/address.js';
import { base58CheckDecode, base58CheckEncode, base58Decode, base58Encode } from '../../../src/chains/bitcoin/base58.js';
import { bech32Decode } from '../../../src/chains/bitcoin/bech32.js';

interface Regtest {
  addresses: Array<{ type: string; address: string; scriptPubKey: string }>;
  invalid_addresses: Array<{ why: string; address: string; validateaddress: { error: string } }>;
}
const r = loadVector<Regtest>('bitcoin-regtest-templates.json');
const rejects = loadVector<{ pool_payout: { address: string; scriptPubKey: string } }>('bitcoin-submitblock-rejects.json');

function reason(address: string, network: BitcoinNetwork): string {
  try {
    addressToScript(address, network);
  } catch (err) {
    expect(err).toBeInstanceOf(AddressError);
    return (err as Error).message;
  }
  throw new Error(`${address} was accepted on ${network}`);
}

describe('regtest addresses recorded from Bitcoin Core', () => {
  for (const a of [...r.addresses, { type: 'pool payout', ...rejects.pool_payout }]) {
    it(`${a.type}: ${a.address} <-> ${a.scriptPubKey}`, () => {
      expect(addressToScript(a.address, 'regtest').toString('hex')).toBe(a.scriptPubKey);
      expect(scriptToAddress(Buffer.from(a.scriptPubKey, 'hex'), 'regtest')).toBe(a.address);
      expect(validateAddress(a.address, 'regtest')).toBeNull();
    });
  }
  it('the same regtest addresses are refused on mainnet', () => {
    for (const a of r.addresses) expect(validateAddress(a.address, 'mainnet')).not.toBeNull();
  });
});

describe('invalid addresses are rejected with a precise reason', () => {
  const expected: Record<string, RegExp> = {
    'mainnet bech32 address on regtest': /for mainnet \(hrp 'bc'\), not regtest/,
    'mainnet base58 P2PKH address on regtest': /version 0x00 is a mainnet P2PKH address, not regtest/,
    'regtest bech32 address with its last character changed': /invalid Bech32 checksum/,
    'not an address': /invalid Base32 character 'o' at position 7/,
  };
  for (const bad of r.invalid_addresses) {
    it(`${bad.why} (node: ${bad.validateaddress.error})`, () => {
      const pattern = expected[bad.why];
      expect(pattern).toBeDefined();
      expect(reason(bad.address, 'regtest')).toMatch(pattern!);
    });
  }
  it('the recorded mainnet addresses are valid on mainnet', () => {
    expect(addressToScript('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'mainnet').subarray(0, 2).toString('hex')).toBe('0014');
    expect(addressToScript('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'mainnet')).toHaveLength(25);
  });
});

describe('BIP350 segwit address vectors', () => {
  const valid: Array<[string, string, BitcoinNetwork]> = [
    ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', '0014751e76e8199196d454941c45d1b3a323f1433bd6', 'mainnet'],
    [
      'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7',
      '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262',
      'testnet',
    ],
    [
      'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
      '5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6',
      'mainnet',
    ],
    ['BC1SW50QGDZ25J', '6002751e', 'mainnet'],
    ['bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', '5210751e76e8199196d454941c45d1b3a323', 'mainnet'],
    [
      'tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy',
      '0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433',
      'signet',
    ],
    [
      'tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c',
      '5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433',
      'testnet',
    ],
    [
      'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
      '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798',
      'mainnet',
    ],
  ];
  for (const [address, script, network] of valid) {
    it(`valid: ${address}`, () => {
      expect(addressToScript(address, network).toString('hex')).toBe(script);
      expect(scriptToAddress(Buffer.from(script, 'hex'), network)).toBe(address.toLowerCase());
    });
  }

  const invalid: Array<[string, BitcoinNetwork, RegExp]> = [
    ['tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', 'testnet', /not a valid Base58Check or segwit address/],
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'mainnet', /witness v1 address must use bech32m/],
    ['tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', 'testnet', /witness v2 address must use bech32m/],
    ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', 'mainnet', /witness v16 address must use bech32m/],
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', 'mainnet', /witness v0 address must use bech32, not bech32m/],
    ['tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', 'testnet', /witness v0 address must use bech32, not bech32m/],
    ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', 'mainnet', /invalid Base32 character 'o'/],
    ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', 'mainnet', /invalid witness version 17/],
    ['bc1pw5dgrnzv', 'mainnet', /program length 1/],
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', 'mainnet', /program length 41/],
    ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'mainnet', /v0 program length 16/],
    ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', 'testnet', /mixes upper and lower case/],
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', 'mainnet', /excess padding/],
    ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', 'testnet', /non-zero padding/],
    ['bc1gmk9yu', 'mainnet', /no witness version|too short/],
  ];
  for (const [address, network, pattern] of invalid) {
    it(`invalid: ${address}`, () => expect(reason(address, network)).toMatch(pattern));
  }
});

describe('Base58Check addresses', () => {
  it('genesis P2PKH address on mainnet', () => {
    expect(addressToScript('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'mainnet').toString('hex')).toBe(
      '76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac',
    );
    expect(scriptToAddress(Buffer.from('76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac', 'hex'), 'mainnet')).toBe(
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
    );
  });
  it('P2SH round trip and network mismatch', () => {
    const script = Buffer.from('a914c04956fecdf52c460fdbf7a1f6d05bd569067f1c87', 'hex');
    const main = scriptToAddress(script, 'mainnet')!;
    expect(main.startsWith('3')).toBe(true);
    expect(addressToScript(main, 'mainnet').equals(script)).toBe(true);
    expect(reason(main, 'testnet')).toMatch(/mainnet P2SH address, not testnet/);
    expect(scriptToAddress(script, 'testnet')).toBe('2NAmwarbBCVdoNRsCsdajY5iUzct8sQ3nQX');
  });
  it('rejects bad checksums, characters, lengths and unknown versions', () => {
    expect(reason('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', 'mainnet')).toMatch(/checksum/);
    expect(reason('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0', 'mainnet')).toMatch(/invalid Base58 character '0' at position 33/);
    expect(reason(base58CheckEncode(Buffer.alloc(20)), 'mainnet')).toMatch(/payload is 20 bytes/);
    expect(reason(base58CheckEncode(Buffer.concat([Buffer.from([0x30]), Buffer.alloc(20)])), 'mainnet')).toMatch(
      /unknown Base58 address version 0x30/,
    );
    expect(reason('', 'mainnet')).toMatch(/empty/);
    expect(reason(' 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'mainnet')).toMatch(/whitespace/);
  });
  it('base58 keeps leading zero bytes', () => {
    const data = Buffer.from('0000010203', 'hex');
    expect(base58Encode(data).startsWith('11')).toBe(true);
    expect(base58Decode(base58Encode(data)).equals(data)).toBe(true);
    expect(base58CheckDecode(base58CheckEncode(data)).equals(data)).toBe(true);
  });
});

describe('bech32 decoder edge cases (BIP173/BIP350)', () => {
  it('accepts the spec checksum strings', () => {
    expect(bech32Decode('A12UEL5L').variant).toBe('bech32');
    expect(bech32Decode('abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw').variant).toBe('bech32');
    expect(bech32Decode('A1LQFN3A').variant).toBe('bech32m');
    expect(bech32Decode('split1checkupstagehandshakeupstreamerranterredcaperredlc445v').variant).toBe('bech32m');
  });
  it('rejects malformed strings', () => {
    expect(() => bech32Decode('an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4')).toThrow(/too long/);
    expect(() => bech32Decode('qyrz8wqd2c9m')).toThrow(/separator/);
    expect(() => bech32Decode('1qyrz8wqd2c9m')).toThrow(/separator/);
    expect(() => bech32Decode('in1muywd')).toThrow(/too short/);
    expect(() => bech32Decode('M1VUXWEZ')).toThrow(/checksum/);
    expect(() => bech32Decode('\x201xj0phk')).toThrow(/invalid character/);
  });
});

it('isBitcoinNetwork narrows config strings', () => {
  expect(isBitcoinNetwork('regtest')).toBe(true);
  expect(isBitcoinNetwork('main')).toBe(false);
});
