/**
 * Background traffic: the devnet keeps a few of its own transactions in the mempool so every template carries
 * real transactions — several output types (P2WPKH, P2PKH, P2SH, P2TR, sometimes OP_RETURN), witness and
 * non-witness spends, unconfirmed chains — and therefore a real merkle branch and witness commitment.
 * Only the devnet's internal coins are spent, so the balance of addresses handed to the wallet is untouched.
 */
import { randomInt } from 'node:crypto';
import { pushData } from '../../core/script.js';
import type { Logger } from '../../log/logger.js';
import type { BitcoinDevnetChain } from './chain.js';
import { WalletError, type DevnetWallet } from './wallet.js';

const AUTO_LABEL = 'devnet-auto';

export function topUpMempool(chain: BitcoinDevnetChain, wallet: DevnetWallet, target: number, log: Logger): number {
  let made = 0;
  const scripts = wallet.internalScripts(AUTO_LABEL).map((s) => Buffer.from(s.scriptHex, 'hex'));
  for (let attempt = 0; chain.mempool.size < target && attempt < target * 2; attempt++) {
    const n = 1 + randomInt(3);
    const outputs = Array.from({ length: n }, (_, i) => ({
      script: scripts[(chain.mempool.size + attempt + i) % scripts.length]!,
      // 0.01 .. 0.5 BTC in whole satoshis
      value: BigInt(1_000_000 + randomInt(49_000_000)),
    }));
    if (randomInt(4) === 0) {
      outputs.push({ script: Buffer.concat([Buffer.from([0x6a]), pushData(Buffer.from('gxc-pool devnet'))]), value: 0n });
    }
    try {
      const change = scripts[randomInt(scripts.length)]!;
      wallet.send(outputs, { onlyInternal: true, changeScript: change });
      made++;
    } catch (err) {
      if (err instanceof WalletError) {
        log.debug({ reason: err.message }, 'devnet: no internal coins for background transactions yet');
        break;
      }
      throw err;
    }
  }
  return made;
}
