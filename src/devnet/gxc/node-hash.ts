/**
 * The GXC node's own hashing (from its public source, checked against the recorded transcript): SHA-256 over
 * text, the second pass over the lowercase hex of the first; block hash over
 * `height ‖ previousblockhash ‖ timestamp ‖ merkleroot ‖ nonce` (decimal numbers); merkle root over the
 * transactions' hex ids, a single transaction being its own root and an odd level duplicating its last id.
 */
import { createHash } from 'node:crypto';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function nodeTextHash(text: string): string {
  return sha256Hex(sha256Hex(text));
}

export function nodeMerkleRoot(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  let level = ids.slice();
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeTextHash(level[i]! + (level[i + 1] ?? level[i]!)));
    level = next;
  }
  return level[0]!;
}

export function nodeBlockHash(b: { height: number; previousblockhash: string; timestamp: number; merkleroot: string; nonce: bigint }): string {
  return nodeTextHash(`${b.height}${b.previousblockhash}${b.timestamp}${b.merkleroot}${b.nonce}`);
}
