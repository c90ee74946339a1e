/** The node's JSON-RPC envelope (processRequest in its RPCAPI.cpp): parse, -32700/-32600/-32601, dispatch. */
import { dumpNlohmann, NlohmannParseError, parseNlohmann, type NJson } from './nlohmann-json.js';
import { isObject, NodeRpcFailure, paramList } from './node-values.js';
import type { RpcMethod } from './rpc-methods.js';

const errorReply = (code: number, message: string, id: NJson): string => dumpNlohmann({ error: { code, message }, id, jsonrpc: '2.0' });

export async function processJsonRpc(body: Buffer, methods: ReadonlyMap<string, RpcMethod>): Promise<string> {
  let request: NJson;
  try {
    request = parseNlohmann(body);
  } catch (err) {
    if (err instanceof NlohmannParseError) {
      // A message quoting non-UTF-8 bytes makes the node's own reply serialization throw.
      return err.dumpable ? errorReply(-32700, `Parse error: ${err.message}`, null) : errorReply(-32603, 'Internal error', null);
    }
    return errorReply(-32603, 'Internal error', null);
  }
  if (!isObject(request) || request.jsonrpc !== '2.0') {
    return errorReply(-32600, 'Invalid Request: missing or invalid jsonrpc field', isObject(request) && 'id' in request ? request.id! : null);
  }
  const id: NJson = 'id' in request ? request.id! : null;
  if (typeof request.method !== 'string') return errorReply(-32600, 'Invalid Request: missing or invalid method field', id);
  const method = methods.get(request.method);
  if (!method) return errorReply(-32601, `Method not found: ${request.method}`, id);
  try {
    const params = paramList('params' in request ? request.params! : []);
    return dumpNlohmann({ id, jsonrpc: '2.0', result: await method(params) });
  } catch (err) {
    if (err instanceof NodeRpcFailure) return errorReply(err.code, err.message, id);
    return errorReply(-32603, `Internal error: ${err instanceof Error ? err.message : String(err)}`, id);
  }
}
