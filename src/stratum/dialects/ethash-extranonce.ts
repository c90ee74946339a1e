/**
 * EthereumStratum/1.0.0 extranonce: the leading bytes of each connection's 8-byte Ethash nonce, fixed by the pool
 * so no two connections search the same nonces of one header. 3 bytes = 1-byte pool-instance id ‖ 16-bit counter
 * (big-endian), leaving the miner 5 bytes (2^40 nonces per job: about 3 hours for a 100 MH/s rig before a new
 * job must come). 65,536 live EthereumStratum connections per instance; the instance byte keeps pool instances
 * that share one database apart, as the SV1 allocator's does. Values come round-robin so a released value is
 * reused only after the counter wraps.
 */
import { InstanceCounterAllocator } from '../extranonce.js';

export const ETHASH_EXTRANONCE_SIZE = 3;
const COUNTER_SPACE = 1 << 16;

export class EthashExtranonceAllocator extends InstanceCounterAllocator {
  constructor(instanceId: number, counterSpace: number = COUNTER_SPACE, start = Math.floor(Math.random() * COUNTER_SPACE)) {
    super(instanceId, ETHASH_EXTRANONCE_SIZE - 1, counterSpace, start);
  }
}
