import { createHash } from 'node:crypto';

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Bitcoin's double SHA-256; the digest is in serialization ("internal") order. */
export function sha256d(data: Buffer): Buffer {
  return sha256(sha256(data));
}
