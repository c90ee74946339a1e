/**
 * "Standard first, GXC second": asks `getblocktemplate {"rules":["segwit"]}` as Bitcoin Core expects it. A BIP22
 * answer means a Bitcoin-style node; a GXC JSON template means GXC. An error answer is ambiguous (Bitcoin Core in
 * initial sync, or a GXC build that wants a miner address), so the GXC-only name `gxc_getBlockTemplate` decides:
 * any answer to it but "method not found" is a GXC node.
 */
import { RpcError, type RpcClient } from '../../rpc/types.js';
import { looksLikeBip22Template, looksLikeGxcTemplate } from './template.js';

export async function detectChainFlavor(rpc: RpcClient): Promise<'bitcoin' | 'gxc'> {
  try {
    const answer = await rpc.call('getblocktemplate', [{ rules: ['segwit'] }]);
    if (looksLikeBip22Template(answer)) return 'bitcoin';
    if (looksLikeGxcTemplate(answer)) return 'gxc';
    throw new Error(`getblocktemplate answered neither a Bitcoin (BIP22) nor a GXC template: ${JSON.stringify(answer).slice(0, 200)}`);
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    if (err.isMethodNotFound)
      throw new Error(`the node has no getblocktemplate (${err.rpcMessage}): neither a Bitcoin Core-compatible nor a GXC node`);
  }
  try {
    await rpc.call('gxc_getBlockTemplate', [{}]);
    return 'gxc';
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    if (!err.isMethodNotFound) return 'gxc';
  }
  // Only the standard name exists and it refused: a Bitcoin-style node that is not ready (e.g. initial sync).
  return 'bitcoin';
}
