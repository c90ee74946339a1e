/** In-process SHA-256d mining of bridge work, the way a Stratum miner would hash it (bounded). */
import type { BlockSolution, Sha256dWork } from '../../../../src/chains/types.js';
import { sha256d } from '../../../../src/core/hash.js';
import { hashHeader, serializeHeader } from '../../../../src/core/header.js';
import { merkleRootFromBranch } from '../../../../src/core/merkle.js';

export function mineWork(
  work: Sha256dWork,
  opts: { extranonce1?: Buffer; extranonce2?: Buffer; ntime?: number; maxNonces?: number } = {},
): BlockSolution {
  const extranonce1 = opts.extranonce1 ?? Buffer.from('a1b2c3d4', 'hex');
  const extranonce2 = opts.extranonce2 ?? Buffer.from('00000001', 'hex');
  const ntime = opts.ntime ?? work.curtime;
  const coinbase = Buffer.concat([work.coinb1, extranonce1, extranonce2, work.coinb2]);
  const merkleRoot = merkleRootFromBranch(sha256d(coinbase), work.merkleBranch);
  const max = opts.maxNonces ?? 2_000_000;
  for (let nonce = 0; nonce < max; nonce++) {
    const header = serializeHeader({ version: work.version, prevHash: work.prevHashInternal, merkleRoot, time: ntime, bits: work.bits, nonce });
    const h = hashHeader(header);
    if (h.value <= work.networkTarget) return { extranonce1, extranonce2, ntime, nonce, version: work.version, header, hashDisplay: h.displayHex };
  }
  throw new Error(`no block within ${max} nonces`);
}
