/** A devnet chain + wallet in memory (no server), bootstrapped and with a mempool that has real dependencies. */
import { BitcoinDevnetChain } from '../../../src/devnet/bitcoin/chain.js';
import { DevnetWallet } from '../../../src/devnet/bitcoin/wallet.js';
import { mineOneBlock } from '../../../src/devnet/bitcoin/assemble.js';
import { templateView } from '../../../src/devnet/bitcoin/views.js';
import { stringifyJson } from '../../../src/devnet/bitcoin/json.js';
import { addressToScript } from '../../../src/chains/bitcoin/address.js';
import { txidOf, type Tx } from '../../../src/chains/bitcoin/tx.js';
import type { Template } from './helpers.js';

export const EASY_BITS = '207fffff';

export async function bootstrappedChain(blocks = 110): Promise<{ chain: BitcoinDevnetChain; wallet: DevnetWallet }> {
  const chain = new BitcoinDevnetChain({ bits: EASY_BITS, bootstrapHeight: 0 });
  const wallet = new DevnetWallet(chain);
  for (let i = 0; i < blocks; i++) {
    const r = await mineOneBlock(chain, wallet.miningScript());
    if (!r || r.answer !== null) throw new Error(`bootstrap block refused: ${r?.answer}`);
  }
  return { chain, wallet };
}

/** Sends to each script type, then a child spending the first send's output (so 'depends' is non-empty). */
export function fillMempool(chain: BitcoinDevnetChain, wallet: DevnetWallet): { parent: Tx; child: Tx } {
  const kinds = ['p2wpkh', 'p2pkh', 'p2sh-p2wpkh', 'p2tr'] as const;
  const txids = kinds.map((k) => wallet.send([{ script: addressToScript(wallet.newAddress(k), 'regtest'), value: 100_000_000n }]));
  const parent = chain.findTransaction(txids[0]!)!.tx;
  const child: Tx = {
    version: 2,
    inputs: [
      {
        prevTxid: txidOf(parent),
        prevIndex: 0,
        scriptSig: Buffer.alloc(0),
        sequence: 0xfffffffd,
        witness: [Buffer.alloc(72, 1), Buffer.alloc(33, 2)],
      },
    ],
    outputs: [{ value: 99_990_000n, scriptPubKey: addressToScript(wallet.newAddress('p2wpkh'), 'regtest') }],
    locktime: 0,
  };
  const reason = chain.acceptToMempool(child);
  if (reason) throw new Error(`child refused: ${reason}`);
  return { parent, child };
}

/** getblocktemplate as the RPC prints it, parsed back to plain JSON. */
export function template(chain: BitcoinDevnetChain): Template {
  return JSON.parse(stringifyJson(templateView(chain))) as Template;
}
