/**
 * Devnet "keys": the wallet has no private keys (nothing is signed on the devnet), only public-key-shaped bytes
 * from which it derives real regtest addresses, and placeholder unlocking data of realistic size so that
 * transactions have real witness/scriptSig bytes, weights and fees.
 */
import { createHash, randomBytes } from 'node:crypto';
import { pushData } from '../../core/script.js';
import type { TxInput } from '../../chains/bitcoin/tx.js';

export type ScriptKind = 'p2wpkh' | 'p2pkh' | 'p2sh-p2wpkh' | 'p2tr' | 'other';
export const ADDRESS_KINDS: readonly ScriptKind[] = ['p2wpkh', 'p2pkh', 'p2sh-p2wpkh', 'p2tr'];

export function hash160(data: Buffer): Buffer {
  return createHash('ripemd160').update(createHash('sha256').update(data).digest()).digest();
}

/** A compressed-public-key-shaped 33-byte value. */
export function newPubkey(): Buffer {
  return Buffer.concat([Buffer.from([0x02 + (randomBytes(1)[0]! & 1)]), randomBytes(32)]);
}

/** Output script for a pubkey of the given kind (P2TR uses the x-only part as the output key). */
export function scriptForPubkey(kind: Exclude<ScriptKind, 'other'>, pubkey: Buffer): Buffer {
  const h = hash160(pubkey);
  switch (kind) {
    case 'p2wpkh':
      return Buffer.concat([Buffer.from([0x00, 0x14]), h]);
    case 'p2pkh':
      return Buffer.concat([Buffer.from([0x76, 0xa9, 0x14]), h, Buffer.from([0x88, 0xac])]);
    case 'p2sh-p2wpkh':
      return Buffer.concat([Buffer.from([0xa9, 0x14]), hash160(redeemScriptP2wpkh(pubkey)), Buffer.from([0x87])]);
    case 'p2tr':
      return Buffer.concat([Buffer.from([0x51, 0x20]), pubkey.subarray(1)]);
  }
}

function redeemScriptP2wpkh(pubkey: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0x14]), hash160(pubkey)]);
}

export function kindOfScript(script: Buffer): ScriptKind {
  if (script.length === 22 && script[0] === 0x00 && script[1] === 0x14) return 'p2wpkh';
  if (script.length === 25 && script[0] === 0x76 && script[1] === 0xa9 && script[24] === 0xac) return 'p2pkh';
  if (script.length === 23 && script[0] === 0xa9 && script[22] === 0x87) return 'p2sh-p2wpkh';
  if (script.length === 34 && script[0] === 0x51 && script[1] === 0x20) return 'p2tr';
  return 'other';
}

/** A DER-signature-sized placeholder (71 bytes + SIGHASH_ALL). */
function fakeEcdsaSig(): Buffer {
  return Buffer.concat([Buffer.from([0x30, 0x45]), randomBytes(69), Buffer.from([0x01])]);
}

/** Fills an input's scriptSig/witness with placeholder unlocking data shaped like a real spend of `kind`. */
export function fillUnlocking(input: TxInput, kind: ScriptKind, pubkey: Buffer | null): void {
  const pk = pubkey ?? Buffer.concat([Buffer.from([0x02]), Buffer.alloc(32, 0x11)]);
  input.scriptSig = Buffer.alloc(0);
  input.witness = [];
  switch (kind) {
    case 'p2wpkh':
      input.witness = [fakeEcdsaSig(), pk];
      break;
    case 'p2pkh':
      input.scriptSig = Buffer.concat([pushData(fakeEcdsaSig()), pushData(pk)]);
      break;
    case 'p2sh-p2wpkh':
      input.scriptSig = pushData(redeemScriptP2wpkh(pk));
      input.witness = [fakeEcdsaSig(), pk];
      break;
    case 'p2tr':
      input.witness = [randomBytes(64)];
      break;
    case 'other':
      break;
  }
}
