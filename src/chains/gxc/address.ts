/**
 * GXC addresses: `tGXC` (testnet) or `GXC` (mainnet) followed by letters/digits, 26–62 characters in all, no
 * checksum. The node's own `validateaddress` only checks the 26–62 alphanumerics; the pool also insists on the
 * network prefix so a payout never goes to the other network. Pure: no I/O.
 */
export type GxcNetwork = 'testnet' | 'mainnet';

const NODE_ADDRESS_RE = /^[A-Za-z0-9]{26,62}$/;

/** The node's rule (validateaddress `isvalid`, submitblock's miner length check uses 26–62 too). */
export function isNodeValidGxcAddress(address: string): boolean {
  return NODE_ADDRESS_RE.test(address);
}

export function gxcNetworkOfAddress(address: string): GxcNetwork | null {
  if (address.startsWith('tGXC')) return 'testnet';
  if (address.startsWith('GXC')) return 'mainnet';
  return null;
}

/** Null when `address` can receive GXC on `network`, else the reason it cannot. */
export function validateGxcAddress(address: string, network: GxcNetwork): string | null {
  if (typeof address !== 'string' || address.length === 0) return 'address is empty';
  if (address.length < 26 || address.length > 62) {
    return `GXC address must be 26-62 characters, got ${address.length}`;
  }
  if (!NODE_ADDRESS_RE.test(address)) return 'GXC address may contain only letters and digits';
  const prefix = network === 'testnet' ? 'tGXC' : 'GXC';
  const actual = gxcNetworkOfAddress(address);
  if (actual !== network) {
    return actual
      ? `${address} is a ${actual} address; this pool runs on GXC ${network} (addresses start with ${prefix})`
      : `GXC ${network} addresses start with ${prefix}`;
  }
  return null;
}
