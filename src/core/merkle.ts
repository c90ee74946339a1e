import { sha256d } from './hash.js';

/**
 * Merkle root over leaves in internal byte order (Bitcoin rule: an odd level duplicates its last hash).
 * An empty list has no root; callers always have at least a coinbase.
 */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) throw new Error('merkle root of an empty list');
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(Buffer.concat([left, right])));
    }
    level = next;
  }
  return level[0]!;
}

/**
 * The Stratum merkle branch for the first leaf (the coinbase), given the other leaves in order.
 * The miner folds: root = sha256d(root || branch[i]) for each i.
 */
export function merkleBranchForFirst(otherLeaves: readonly Buffer[]): Buffer[] {
  const branch: Buffer[] = [];
  // Level holds every leaf but the first; a placeholder stands for the (unknown) coinbase side.
  let level: (Buffer | null)[] = [null, ...otherLeaves];
  while (level.length > 1) {
    branch.push(level[1]!);
    const next: (Buffer | null)[] = [null];
    for (let i = 2; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(Buffer.concat([left, right])));
    }
    level = next;
  }
  return branch;
}

/** left || right of one fold step; reused because hashing consumes it synchronously before the next step. */
const pair = Buffer.alloc(64);

/**
 * Folds the coinbase hash up a Stratum branch to the merkle root (internal order). The share path runs this per
 * share: one scratch pair instead of a concat (an allocation) per step.
 */
export function merkleRootFromBranch(first: Buffer, branch: readonly Buffer[]): Buffer {
  if (first.length !== 32) throw new Error(`merkle leaf must be 32 bytes, got ${first.length}`);
  let root = first;
  for (const step of branch) {
    if (step.length !== 32) throw new Error(`merkle branch step must be 32 bytes, got ${step.length}`);
    root.copy(pair, 0);
    step.copy(pair, 32);
    root = sha256d(pair);
  }
  return root;
}
