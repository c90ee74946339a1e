/**
 * Bitcoin address <-> scriptPubKey for P2PKH, P2SH (Base58Check) and segwit v0..v16 (BIP173 bech32 / BIP350
 * bech32m), with the network checked. Pure: no I/O.
 */
import { base58CheckDecode, base58CheckEncode } from './base58.js';
import { bech32Decode, bech32Encode, convertBits } from './bech32.js';

export type BitcoinNetwork = 'mainnet' | 'testnet' | 'regtest' | 'signet';

export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

interface NetworkParams {
  hrp: string;
  p2pkh: number;
  p2sh: number;
}

const PARAMS: Record<BitcoinNetwork, NetworkParams> = {
  mainnet: { hrp: 'bc', p2pkh: 0x00, p2sh: 0x05 },
  testnet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4 },
  signet: { hrp: 'tb', p2pkh: 0x6f, p2sh: 0xc4 },
  regtest: { hrp: 'bcrt', p2pkh: 0x6f, p2sh: 0xc4 },
};

export const BITCOIN_NETWORKS: readonly BitcoinNetwork[] = ['mainnet', 'testnet', 'regtest', 'signet'];

export function isBitcoinNetwork(value: unknown): value is BitcoinNetwork {
  return typeof value === 'string' && (BITCOIN_NETWORKS as readonly string[]).includes(value);
}

const KNOWN_HRPS: Record<string, string> = { bc: 'mainnet', tb: 'testnet/signet', bcrt: 'regtest' };

/** scriptPubKey for an address on `network`; throws AddressError with a precise reason. */
export function addressToScript(address: string, network: BitcoinNetwork): Buffer {
  if (typeof address !== 'string' || address.length === 0) throw new AddressError('empty address');
  if (address.trim() !== address) throw new AddressError('address has leading or trailing whitespace');
  const params = PARAMS[network];
  const sep = address.lastIndexOf('1');
  const hrp = sep > 0 ? address.slice(0, sep).toLowerCase() : '';
  if (hrp in KNOWN_HRPS) return segwitToScript(address, hrp, params, network);
  return base58ToScript(address, params, network);
}

/** Null when `address` is a valid address on `network`, else the reason. */
export function validateAddress(address: string, network: BitcoinNetwork): string | null {
  try {
    addressToScript(address, network);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function segwitToScript(address: string, hrp: string, params: NetworkParams, network: BitcoinNetwork): Buffer {
  if (hrp !== params.hrp) {
    throw new AddressError(`segwit address is for ${KNOWN_HRPS[hrp]} (hrp '${hrp}'), not ${network} (hrp '${params.hrp}')`);
  }
  let decoded: ReturnType<typeof bech32Decode>;
  try {
    decoded = bech32Decode(address);
  } catch (err) {
    throw new AddressError(`invalid segwit address: ${(err as Error).message}`);
  }
  const [version, ...rest] = decoded.data5;
  if (version === undefined) throw new AddressError('invalid segwit address: no witness version');
  if (version > 16) throw new AddressError(`invalid witness version ${version}`);
  let program: number[];
  try {
    program = convertBits(rest, 5, 8, false);
  } catch (err) {
    throw new AddressError(`invalid segwit address: ${(err as Error).message}`);
  }
  if (program.length < 2 || program.length > 40) {
    throw new AddressError(`invalid witness program length ${program.length} (must be 2..40 bytes)`);
  }
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw new AddressError(`invalid witness v0 program length ${program.length} (must be 20 or 32 bytes)`);
  }
  if (version === 0 && decoded.variant !== 'bech32') throw new AddressError('witness v0 address must use bech32, not bech32m');
  if (version !== 0 && decoded.variant !== 'bech32m') {
    throw new AddressError(`witness v${version} address must use bech32m, not bech32`);
  }
  return witnessScript(version, Buffer.from(program));
}

function witnessScript(version: number, program: Buffer): Buffer {
  return Buffer.concat([Buffer.from([version === 0 ? 0x00 : 0x50 + version, program.length]), program]);
}

function base58ToScript(address: string, params: NetworkParams, network: BitcoinNetwork): Buffer {
  let payload: Buffer;
  try {
    payload = base58CheckDecode(address);
  } catch (err) {
    throw new AddressError(`not a valid Base58Check or segwit address: ${(err as Error).message}`);
  }
  if (payload.length !== 21) {
    throw new AddressError(`Base58 address payload is ${payload.length} bytes, expected 21 (version + 20-byte hash)`);
  }
  const version = payload[0]!;
  const hash = payload.subarray(1);
  if (version === params.p2pkh) return Buffer.concat([Buffer.from([0x76, 0xa9, 0x14]), hash, Buffer.from([0x88, 0xac])]);
  if (version === params.p2sh) return Buffer.concat([Buffer.from([0xa9, 0x14]), hash, Buffer.from([0x87])]);
  const owner = base58VersionOwner(version);
  throw new AddressError(
    owner ? `Base58 address version 0x${hex2(version)} is a ${owner} address, not ${network}` : `unknown Base58 address version 0x${hex2(version)}`,
  );
}

function base58VersionOwner(version: number): string | null {
  if (version === 0x00) return 'mainnet P2PKH';
  if (version === 0x05) return 'mainnet P2SH';
  if (version === 0x6f) return 'testnet/regtest/signet P2PKH';
  if (version === 0xc4) return 'testnet/regtest/signet P2SH';
  return null;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The address for a standard scriptPubKey (P2PKH, P2SH, P2WPKH, P2WSH, P2TR, other witness), or null. */
export function scriptToAddress(script: Buffer, network: BitcoinNetwork): string | null {
  const params = PARAMS[network];
  const s = script;
  if (s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac) {
    return base58CheckEncode(Buffer.concat([Buffer.from([params.p2pkh]), s.subarray(3, 23)]));
  }
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) {
    return base58CheckEncode(Buffer.concat([Buffer.from([params.p2sh]), s.subarray(2, 22)]));
  }
  const op = s[0];
  const len = s[1];
  if (op === undefined || len === undefined || s.length !== len + 2 || len < 2 || len > 40) return null;
  let version: number;
  if (op === 0x00) version = 0;
  else if (op >= 0x51 && op <= 0x60) version = op - 0x50;
  else return null;
  if (version === 0 && len !== 20 && len !== 32) return null;
  const data5 = [version, ...convertBits([...s.subarray(2)], 8, 5, true)];
  return bech32Encode(params.hrp, data5, version === 0 ? 'bech32' : 'bech32m');
}
