/** Ethash (revision 23): pure, synchronous, no I/O. Heavy calls (cache building) belong off the event loop. */
export { keccak256, keccak512, keccakF1600 } from './keccak.js';
export {
  ACCESSES,
  DATASET_PARENTS,
  EPOCH_LENGTH,
  epochOf,
  epochOfSeed,
  fullDatasetSize,
  HASH_BYTES,
  lightCacheSize,
  MAX_EPOCH,
  MIX_BYTES,
  seedHash,
} from './params.js';
export { buildLightCache, datasetItem, datasetPage, FNV_PRIME, type LightCache } from './cache.js';
export { type EthashResult, finalHashFromMix, hashimoto, hashimotoLight, lightPages, type PageSource, seedOf } from './hashimoto.js';
export {
  boundaryFromDifficulty,
  boundaryFromRawDifficulty,
  boundaryToBytes,
  difficultyFromHash,
  hashToBigInt,
  MAX_BOUNDARY,
  rawDifficultyFromHash,
} from './difficulty.js';
export { type EthashSolution, EthashVerdict, verifyEthash, verifyEthashLight, verifyFinalHash } from './verify.js';
export {
  allocateLazyDataset,
  attachLazyDataset,
  fillDatasetChunk,
  filledPages,
  hashimotoFull,
  isPageReady,
  type LazyDataset,
  memoisedPages,
  readyBitmapBytes,
} from './dataset.js';
