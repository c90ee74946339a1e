/**
 * The Ethash side of a port: one factory that gives each Ethash connection the session for the dialect its first
 * message names (see detect.ts for the rule). EthereumStratum/2.0.0 (`mining.hello`) is not spoken: it gets a
 * clear error, so ethminer's autodetection moves on to EthereumStratum/1.0.0.
 */
import type { Logger } from '../../log/logger.js';
import type { RequestId, RpcRequest } from '../jsonrpc.js';
import type { SessionLog } from '../session-log.js';
import type { StratumAlgorithm, StratumSessionSummary } from '../types.js';
import { detectDialect, type EthashDialect } from './detect.js';
import { EthashSession, type EthashSessionDeps } from './ethash-session.js';
import { EthminerStratumSession } from './ethminer-stratum.js';
import { EthProxySession } from './ethproxy.js';
import { EthereumStratumSession } from './ethstratum.js';
import { rpc2Error } from './rpc2.js';
import type { DialectFactory, DialectSession, SessionIO } from './types.js';

export interface EthashDialectDeps extends EthashSessionDeps {
  /** The port's algorithms: an ambiguous first message is read differently on an Ethash-only port. */
  portAlgorithms: readonly StratumAlgorithm[];
}

export function ethashDialectFactory(deps: EthashDialectDeps): DialectFactory {
  return (io: SessionIO, log: SessionLog, first: RpcRequest): DialectSession => {
    const detected = detectDialect(first, deps.portAlgorithms);
    // The connection only hands Ethash connections to this factory; a SHA-256d verdict cannot reach here.
    const dialect: EthashDialect = detected.algorithm === 'ethash' ? detected.dialect : 'ethminer-stratum';
    const sessionLog = log.child({ dialect });
    switch (dialect) {
      case 'ethproxy':
        return new EthProxySession(io, sessionLog, deps);
      case 'ethstratum':
        return new EthereumStratumSession(io, sessionLog, deps);
      case 'ethminer-stratum':
        return new EthminerStratumSession(io, sessionLog, deps);
      case 'ethstratum2':
        return new RefusedDialectSession(io, sessionLog);
    }
  };
}

export function isEthashSession(session: DialectSession | null): session is EthashSession {
  return session instanceof EthashSession;
}

const ETHSTRATUM2_REFUSAL =
  'EthereumStratum/2.0.0 is not supported here: use EthereumStratum/1.0.0 (stratum2+tcp://), eth-proxy (stratum1+tcp://) or stratum+tcp://';

/** Answers `mining.hello` with a precise error and closes (nothing else is read from such a connection). */
class RefusedDialectSession implements DialectSession {
  readonly algorithm = 'ethash' as const;
  constructor(
    private readonly io: SessionIO,
    private readonly log: Logger,
  ) {}

  handleRequest(req: RpcRequest): void {
    this.log.info({ method: req.method, reason: ETHSTRATUM2_REFUSAL }, 'refused Ethash dialect');
    this.io.send(rpc2Error(req.id, -32601, ETHSTRATUM2_REFUSAL));
    this.io.close('EthereumStratum/2.0.0 refused');
  }

  handleResponse(_id: RequestId): void {}

  tick(): void {}

  closed(): void {}

  summary(base: { id: string; remote: string; connectedSince: Date }): StratumSessionSummary {
    return {
      ...base,
      algorithm: this.algorithm,
      worker: null,
      address: null,
      userAgent: null,
      subscribed: false,
      authorized: false,
      difficulty: 0,
      sharesAccepted: 0,
      sharesRejected: 0,
      difficultyAccepted: 0,
      connectedSince: base.connectedSince,
      lastShareAt: null,
    };
  }
}
