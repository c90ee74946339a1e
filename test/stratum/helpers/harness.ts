/** Starts real servers on 127.0.0.1:0 and real clients, and closes everything a test opened. */
import { BanRegistry } from '../../../src/stratum/bans.js';
import { createClusterStratumServer, type ClusterStratumServer } from '../../../src/stratum/cluster/primary.js';
import { createStratumServer, type StratumServerOptions } from '../../../src/stratum/server.js';
import type { StratumServer, StratumSessionSummary } from '../../../src/stratum/types.js';
import { TestClient, type Message } from './client.js';
import { TestBackend } from './test-backend.js';

export class Harness {
  private readonly servers: StratumServer[] = [];
  private readonly clients: TestClient[] = [];
  private readonly banLists: BanRegistry[] = [];

  /** @param workers 0: the in-process server; N: N socket worker processes (`stratum.workers`). */
  constructor(readonly workers = 0) {}

  async start(opts: Partial<StratumServerOptions> = {}, host = '127.0.0.1'): Promise<{ server: StratumServer; port: number; backend: TestBackend }> {
    const backend = (opts.backend as TestBackend | undefined) ?? new TestBackend();
    const difficulty = { initial: 1, floor: 0.001, ceiling: 1_000_000, ...opts.difficulty };
    let server: StratumServer;
    if (this.workers === 0) {
      server = createStratumServer({ ...opts, difficulty, backend });
    } else {
      const bans = opts.bans ?? new BanRegistry();
      if (opts.bans === undefined) this.banLists.push(bans);
      server = createClusterStratumServer({
        backend,
        workers: this.workers,
        bans,
        difficulty,
        ...(opts.limits ? { limits: opts.limits } : {}),
        ...(opts.extranonce2Size ? { extranonce2Size: opts.extranonce2Size } : {}),
        ...(opts.versionMask ? { versionMask: opts.versionMask } : {}),
      });
    }
    this.servers.push(server);
    const port = await server.listen(0, host);
    return { server, port, backend };
  }

  async client(port: number, host?: string, localAddress?: string): Promise<TestClient> {
    const c = await TestClient.open(port, host, localAddress);
    this.clients.push(c);
    return c;
  }

  /** The server's sessions as the API sees them (with socket workers: after asking each worker for fresh ones). */
  async sessions(server: StratumServer): Promise<StratumSessionSummary[]> {
    if ('syncSessions' in server) await (server as ClusterStratumServer).syncSessions();
    return server.sessions();
  }

  async closeAll(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
    for (const b of this.banLists.splice(0)) b.close();
  }
}

export interface Handshake {
  extranonce1: string;
  extranonce2Size: number;
  subscriptionId: string;
  difficulty: number;
  notify: Message;
}

/** subscribe + authorize, then the set_difficulty and first notify that must follow. */
export async function handshake(c: TestClient, username = 'bcrt1qtestaddress0.rig1', password = 'x'): Promise<Handshake> {
  const sub = await c.call(1, 'mining.subscribe', ['test-miner/1.0']);
  const [subs, extranonce1, extranonce2Size] = sub.result as [[string, string][], string, number];
  const auth = await c.call(2, 'mining.authorize', [username, password]);
  if (auth.result !== true) throw new Error(`authorize failed: ${JSON.stringify(auth)}`);
  const diff = await c.notification('mining.set_difficulty');
  const notify = await c.notification('mining.notify');
  return {
    extranonce1,
    extranonce2Size,
    subscriptionId: (subs[0] as [string, string])[1],
    difficulty: (diff.params as number[])[0] as number,
    notify,
  };
}

export function jobIdOf(notify: Message): string {
  return (notify.params as unknown[])[0] as string;
}

/** A well-formed submit for `jobId` with a distinct nonce per `n`. */
export function submitParams(worker: string, jobId: string, n: number, versionBits?: string): string[] {
  const p = [worker, jobId, n.toString(16).padStart(8, '0'), '6553f100', (0x1000 + n).toString(16).padStart(8, '0')];
  if (versionBits !== undefined) p.push(versionBits);
  return p;
}
