/** GXC node support: the chain adapter, the SHA-256d bridge, and the pure helpers tests and tools reuse. */
export { createGxcAdapter, recheckGxcCandidate, GXC_MAINNET_MATURITY, GXC_TESTNET_MATURITY, type GxcAdapterOptions } from './adapter.js';
export { detectChainFlavor } from './detect.js';
export { validateGxcAddress, isNodeValidGxcAddress, gxcNetworkOfAddress, type GxcNetwork } from './address.js';
export { gxcAmountToUnits, unitsToGxcDecimal, gxcSubsidyUnits, GXC_UNITS_PER_COIN } from './amounts.js';
export {
  gxcDifficultyToTarget,
  gxcTargetBits,
  leadingHexZeros,
  meetsGxcDifficulty,
  requiredLeadingZeros,
  expectedHashesPerBlock,
} from './difficulty.js';
export {
  BRIDGE_SCHEME,
  BRIDGE_HEADER_VERSION,
  bridgeCommitment,
  buildBridgeCoinbase,
  encodeBridgeCommitment,
  verifyBridgedBlock,
  type BridgeBlockFields,
  type SubmittedBridgeBlock,
} from './bridge.js';
export {
  describeGxcSubmitRefusal,
  submitFailureReason,
  GxcPartialSendError,
  GxcProofOfStakeTemplate,
  type GxcRefusal,
  type GxcRefusalKind,
} from './errors.js';
export {
  parseGxcTemplate,
  gxcTxId,
  isCoinbaseJson,
  looksLikeGxcTemplate,
  looksLikeBip22Template,
  type GxcTemplate,
  type GxcTransactionJson,
} from './template.js';
export {
  buildGxcWork,
  isGxcWork,
  submitBlockJson,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  GXC_NODE_RECV_BYTES,
  type GxcWork,
  type GxcWorkContext,
} from './work.js';
