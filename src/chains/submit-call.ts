/**
 * Calling the node's submitblock. A generic RPC retry after a timeout or a reset is wrong here: the node may have
 * taken the block before the reply was lost, and the resubmission then answers "duplicate" (Bitcoin Core) or
 * "Stale block" (GXC) — a refusal that hides the real outcome (the block may be on the chain). Only a request
 * that certainly never reached the node (connection refused) is sent again; anything else surfaces as is.
 */
import { RpcTransportError, type RpcClient } from '../rpc/types.js';

/** Connection-refused retries and their pause (the node restarting for a moment). */
export const SUBMIT_REFUSED_RETRIES = 2;
export const SUBMIT_REFUSED_DELAY_MS = 250;

export async function submitToNode<T>(rpc: RpcClient, methods: readonly string[], params: unknown[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rpc.callFirst<T>(methods, params, { retries: 0 });
    } catch (err) {
      const neverDelivered = err instanceof RpcTransportError && err.details.errorCode === 'ECONNREFUSED';
      if (!neverDelivered || attempt >= SUBMIT_REFUSED_RETRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, SUBMIT_REFUSED_DELAY_MS * 2 ** attempt));
    }
  }
}
