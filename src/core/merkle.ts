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

/** Folds the coinbase hash up a Stratum branch to the merkle root (internal order). */
export function merkleRootFromBranch(first: Buffer, branch: readonly Buffer[]): Buffer {
  let root = first;
  for (const step of branch) root = sha256d(Buffer.concat([root, step]));
  return root;
}
