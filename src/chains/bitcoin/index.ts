/** Public surface of the Bitcoin chain family. */
export { createBitcoinAdapter, interpretSubmitAnswer, type BitcoinAdapterOptions } from './adapter.js';
export {
  AddressError,
  addressToScript,
  scriptToAddress,
  validateAddress,
  isBitcoinNetwork,
  BITCOIN_NETWORKS,
  type BitcoinNetwork,
} from './address.js';
export { parseBlockTemplate, segwitActive, type BlockTemplate } from './template.js';
export { BitcoinWork, buildBitcoinWork, type BitcoinWorkOptions } from './work.js';
export { assembleBlock, type BlockAssembly } from './block.js';
export { buildCoinbase, coinbaseForBlock, coinbaseWithoutWitness, witnessCommitmentScript } from './coinbase.js';
export { btcToSatoshi, satoshiToBtcString } from './amount.js';
