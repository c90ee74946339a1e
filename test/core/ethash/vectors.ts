/** Typed view of ../shared/testdata/ethash-vectors.json (recorded with the chfast/ethash reference library). */
import { loadVector } from '../../helpers/vectors.js';

export interface EthashHashVector {
  block: number;
  epoch: number;
  header_hash: string;
  nonce: string;
  seed_keccak512: string;
  mix_hash: string;
  final_hash: string;
  max_difficulty: string;
}

export interface EthashVerificationCase {
  case: string;
  check: 'verify_boundary' | 'verify_difficulty' | 'verify_final_difficulty';
  block: number;
  header_hash: string;
  nonce: string;
  mix_hash: string;
  boundary?: string;
  difficulty_decimal?: string;
  final_hash_from_submitted_mix: string;
  result: number;
  result_name: string;
}

export interface EthashEpochFacts {
  epoch: number;
  first_block: number;
  last_block: number;
  seed: string;
  find_epoch_number: number;
  light_cache_num_items: number;
  light_cache_size: number;
  full_dataset_num_items: number;
  full_dataset_size: number;
  light_cache_keccak256: string;
  light_cache_sha256: string;
  light_cache_item_first: string;
  light_cache_item_last: string;
  dataset_item_0: string;
  dataset_item_1: string;
  dataset_item_last_index: number;
  dataset_item_last: string;
}

export interface EthashVectors {
  keccak: Array<{ input_hex: string; keccak256: string; keccak512: string; NOT_keccak_sha3_256: string; NOT_keccak_sha3_512: string }>;
  hash_vectors: EthashHashVector[];
  verification_cases: EthashVerificationCase[];
  epochs: EthashEpochFacts[];
  sizes: Array<{
    epoch: number;
    light_cache_num_items: number;
    light_cache_size: number;
    full_dataset_num_items: number;
    full_dataset_size: number;
    seed: string;
  }>;
  difficulty_to_boundary: Array<{ difficulty: string; boundary: string }>;
  library: { epoch_length: number; max_epoch_number: number };
}

export const ethashVectors = loadVector<EthashVectors>('ethash-vectors.json');
export const hex = (h: string): Buffer => Buffer.from(h, 'hex');
export const nonceOf = (h: string): bigint => BigInt(`0x${h}`);
