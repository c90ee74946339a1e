import { hash } from 'node:crypto';

// One-shot crypto.hash (Node 20.12+) skips the Hash object createHash builds per call: on the 64-byte merkle steps
// and 80-byte headers of the share path that object, not the hashing (SHA-NI), was most of the cost.

export function sha256(data: Buffer): Buffer {
  return hash('sha256', data, 'buffer');
}

/** Bitcoin's double SHA-256; the digest is in serialization ("internal") order. */
export function sha256d(data: Buffer): Buffer {
  return hash('sha256', hash('sha256', data, 'buffer'), 'buffer');
}
