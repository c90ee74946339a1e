/**
 * The GXC node's refusals turned into clear reasons. Mining and wallet failures come back as JSON-RPC error
 * -32603 with messages such as "Failed to submit block: Stale block"; the reason strings start with a stable
 * tag (`stale:`, `node-bug:` ...) so logs and the dashboard can group them, and always quote the node.
 */
import { RpcError, RpcTransportError } from '../../rpc/types.js';

export type GxcRefusalKind =
  | 'stale'
  | 'validation-failed'
  | 'node-bug-supply'
  | 'reward-too-high'
  | 'high-hash'
  | 'difficulty-mismatch'
  | 'bad-timestamp'
  | 'bad-miner'
  | 'bad-block-data'
  | 'bridge-proof'
  | 'rejected';

export interface GxcRefusal {
  kind: GxcRefusalKind;
  /** One line for humans: what happened, whose fault, and the node's words. */
  reason: string;
  /** The node's message verbatim. */
  nodeMessage: string;
}

/** Classifies a `submitblock` refusal message (with or without the "Failed to submit block: " prefix). */
export function describeGxcSubmitRefusal(message: string): GxcRefusal {
  const said = `(node said: "${message}")`;
  const m = message.replace(/^Failed to submit block:\s*/i, '');
  const r = (kind: GxcRefusalKind, text: string): GxcRefusal => ({ kind, reason: `${kind}: ${text} ${said}`, nodeMessage: message });
  if (/coinbase reward exceeds maximum/i.test(m) && /max(imum)? allowed:\s*0(\.0*)?(\s|$|[^\d.])/i.test(m)) {
    return r(
      'node-bug-supply',
      "the GXC node rejects every block because of its own bug (an uninitialised supply counter makes the maximum reward 0); this is the node's fault, not the pool's or the miner's: upgrade or patch the node. The block candidate stays on record and is not counted as found",
    );
  }
  if (/coinbase reward exceeds maximum/i.test(m)) return r('reward-too-high', 'the coinbase pays more than the block reward plus fees');
  if (/stale block/i.test(m)) return r('stale', 'stale block: the node already has a block at this height (another block won the race)');
  if (/block validation failed/i.test(m)) {
    return r('validation-failed', 'validation failed: the node refused the block (most often its previous hash is no longer the tip)');
  }
  if (/does not meet difficulty target/i.test(m)) return r('high-hash', 'the block hash has too few leading zeros for the network difficulty');
  if (/difficulty mismatch/i.test(m)) return r('difficulty-mismatch', 'the network difficulty changed since the template was fetched');
  if (/timestamp too far/i.test(m)) return r('bad-timestamp', 'the block timestamp is outside the node window [now - 24 h, now + 2 h]');
  if (/miner address/i.test(m)) return r('bad-miner', 'the miner address was refused');
  if (/pool header|bridge/i.test(m)) return r('bridge-proof', 'the proof-of-work header does not match the block');
  if (/invalid (hash|previous hash|difficulty)|height too far|block hash is required|parse block|type must be/i.test(m)) {
    return r('bad-block-data', 'the node could not use the block fields');
  }
  return r('rejected', 'the node refused the block');
}

/** Any submit failure (RpcError, transport error, other) as a reason string for SubmitOutcome. */
export function submitFailureReason(err: unknown): string {
  if (err instanceof RpcError) {
    if (err.code === -32603) return describeGxcSubmitRefusal(err.rpcMessage).reason;
    return `rejected: node error ${err.code} (node said: "${err.rpcMessage}")`;
  }
  if (err instanceof RpcTransportError) {
    return `no-verdict: the node could not be reached or answered garbage (${err.reason}); the block may or may not have been taken — check blockStatus`;
  }
  return `no-verdict: ${err instanceof Error ? err.message : String(err)}`;
}

/** The template at this height is proof-of-stake: a PoW pool waits for the next PoW height. */
export class GxcProofOfStakeTemplate extends Error {
  constructor(readonly height: number) {
    super(`GXC height ${height} is a proof-of-stake block (consensus_type "pos"): not mined by the pool; waiting for the next PoW template`);
    this.name = 'GxcProofOfStakeTemplate';
  }
}

/** Some payments went out before one failed: the sent ones must be recorded, not retried. */
export class GxcPartialSendError extends Error {
  constructor(
    readonly sent: ReadonlyArray<{ address: string; amount: bigint; txid: string }>,
    readonly failedAddress: string,
    readonly failure: unknown,
  ) {
    const why = failure instanceof Error ? failure.message : String(failure);
    super(`GXC payout stopped after ${sent.length} payment(s): sending to ${failedAddress} failed: ${why}`);
    this.name = 'GxcPartialSendError';
  }
}
