/**
 * The built-in Ethash miner's side of the three wire dialects: how it logs in, what work looks like, how a share is
 * sent. The messages are the ones real miners send (lolMiner/ethminer `stratum2+tcp`, Claymore/ethminer
 * `stratum1+tcp`, ethminer `stratum+tcp`), so the miner exercises the pool the way they do.
 */
import { boundaryFromDifficulty, epochOfSeed } from '../core/ethash/index.js';
import type { PoolMessage, StratumConnection } from './stratum-connection.js';

export type EthashClientDialect = 'ethstratum' | 'ethproxy' | 'stratum';
export const ETHASH_CLIENT_DIALECTS: readonly EthashClientDialect[] = ['ethstratum', 'ethproxy', 'stratum'];

/** One piece of Ethash work as the miner searches it. */
export interface EthashWork {
  jobId: string;
  headerHash: Buffer;
  seedHex: string;
  epoch: number;
  boundary: bigint;
  /** Pool difficulty of the boundary (1 = 2^32 hashes). */
  difficulty: number;
  clean: boolean;
}

/** The part of the 64-bit nonce the pool fixed (EthereumStratum extranonce) and how many low bits are ours. */
export interface NonceSpace {
  prefix: bigint;
  freeBits: number;
}

export interface ClientDialect {
  readonly name: EthashClientDialect;
  handshake(conn: StratumConnection): Promise<void>;
  /** A pool notification; returns new work when it carried some. */
  onNotification(msg: PoolMessage): EthashWork | null;
  /** An unsolicited reply (eth-proxy pushes work as `{"id":0,"result":[...]}`). */
  onPush(result: unknown): EthashWork | null;
  /** Work already in hand after the handshake (eth-proxy asks with eth_getWork). */
  initialWork(conn: StratumConnection): Promise<EthashWork | null>;
  nonceSpace(): NonceSpace;
  submit(conn: StratumConnection, work: EthashWork, nonce: bigint, mixDigest: Buffer): Promise<unknown>;
}

const TWO_256 = 1n << 256n;
const HEX64 = /^(0x)?[0-9a-fA-F]{64}$/;
const epochBySeed = new Map<string, number>();

function hash32(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !HEX64.test(value)) throw new Error(`${what} must be 32 bytes of hex, got ${JSON.stringify(value)?.slice(0, 80)}`);
  return Buffer.from(value.replace(/^0x/, ''), 'hex');
}

function epochOf(seed: Buffer): { seedHex: string; epoch: number } {
  const seedHex = seed.toString('hex');
  let epoch = epochBySeed.get(seedHex);
  if (epoch === undefined) {
    const found = epochOfSeed(seed);
    if (found === null) throw new Error(`seed hash ${seedHex} is not the seed of any Ethash epoch`);
    epoch = found;
    epochBySeed.set(seedHex, epoch);
  }
  return { seedHex, epoch };
}

function difficultyOfBoundary(boundary: bigint): number {
  return boundary === 0n ? Number.POSITIVE_INFINITY : Number(TWO_256 / boundary) / 2 ** 32;
}

/** Work whose share target the pool sent as a boundary (eth_getWork, ethminer's mining.notify); always clean. */
function boundaryWork(jobId: string, headerHash: Buffer, seed: unknown, boundaryHex: unknown, where: string): EthashWork {
  const boundary = BigInt(`0x${hash32(boundaryHex, `${where}boundary`).toString('hex')}`);
  return {
    jobId,
    headerHash,
    ...epochOf(hash32(seed, `${where}seed hash`)),
    boundary,
    difficulty: difficultyOfBoundary(boundary),
    clean: true,
  };
}

/** The full-nonce proof eth-proxy and ethminer's stratum submit: 0x nonce, 0x header hash, 0x mix digest. */
function fullProof(work: EthashWork, nonce: bigint, mixDigest: Buffer): string[] {
  return [`0x${nonce.toString(16).padStart(16, '0')}`, `0x${work.headerHash.toString('hex')}`, `0x${mixDigest.toString('hex')}`];
}

/** eth-proxy and ethminer's stratum: the whole nonce is the miner's. */
const FULL_NONCE_SPACE: NonceSpace = Object.freeze({ prefix: 0n, freeBits: 64 });

/** Splits `ADDRESS.WORKER` as Claymore and ethminer do for eth-proxy logins. */
function splitUser(user: string): { login: string; worker: string | null } {
  const dot = user.indexOf('.');
  return dot === -1 ? { login: user, worker: null } : { login: user.slice(0, dot), worker: user.slice(dot + 1) };
}

/** EthereumStratum/1.0.0: difficulty by mining.set_difficulty, extranonce prefix, nonce tail in the submit. */
export class EthereumStratumClient implements ClientDialect {
  readonly name = 'ethstratum' as const;
  private extranonce = '';
  private difficulty = 1;

  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly userAgent: string,
  ) {}

  async handshake(conn: StratumConnection): Promise<void> {
    const answer = await conn.request('mining.subscribe', [this.userAgent, 'EthereumStratum/1.0.0']);
    if (!Array.isArray(answer) || !Array.isArray(answer[0]) || answer[0][2] !== 'EthereumStratum/1.0.0') {
      throw new Error(`mining.subscribe: not an EthereumStratum/1.0.0 answer: ${JSON.stringify(answer)?.slice(0, 120)}`);
    }
    this.setExtranonce(answer[1]);
    await conn.request('mining.extranonce.subscribe', []);
    const authorized = await conn.request('mining.authorize', [this.user, this.password]);
    if (authorized !== true) throw new Error(`pool refused worker "${this.user}" (answer ${JSON.stringify(authorized)})`);
  }

  private setExtranonce(value: unknown): void {
    if (typeof value !== 'string' || !/^([0-9a-fA-F]{2}){0,7}$/.test(value)) {
      throw new Error(`extranonce must be 0..7 bytes of hex, got ${JSON.stringify(value)}`);
    }
    this.extranonce = value.toLowerCase();
  }

  onNotification(msg: PoolMessage): EthashWork | null {
    if (msg.method === 'mining.set_difficulty') {
      const d = Number(msg.params[0]);
      if (!Number.isFinite(d) || d <= 0) throw new Error(`mining.set_difficulty: not a positive number: ${JSON.stringify(msg.params[0])}`);
      this.difficulty = d;
      return null;
    }
    if (msg.method === 'mining.set_extranonce') {
      this.setExtranonce(msg.params[0]);
      return null;
    }
    if (msg.method !== 'mining.notify') return null;
    const [jobId, seed, header, clean] = msg.params;
    if (typeof jobId !== 'string') throw new Error('mining.notify: job_id must be a string');
    return {
      jobId,
      headerHash: hash32(header, 'mining.notify header hash'),
      ...epochOf(hash32(seed, 'mining.notify seed hash')),
      boundary: boundaryFromDifficulty(this.difficulty),
      difficulty: this.difficulty,
      clean: clean === true,
    };
  }

  onPush(): EthashWork | null {
    return null;
  }

  async initialWork(): Promise<EthashWork | null> {
    return null;
  }

  nonceSpace(): NonceSpace {
    const bits = this.extranonce.length * 4;
    return { prefix: bits === 0 ? 0n : BigInt(`0x${this.extranonce}`) << BigInt(64 - bits), freeBits: 64 - bits };
  }

  submit(conn: StratumConnection, work: EthashWork, nonce: bigint): Promise<unknown> {
    const tail = nonce.toString(16).padStart(16, '0').slice(this.extranonce.length);
    return conn.request('mining.submit', [this.user, work.jobId, tail]);
  }
}

/** Work as eth_getWork / the pushes carry it: [header, seed, boundary, (block number)]; named by its header. */
function parseGetWork(result: unknown): EthashWork {
  if (!Array.isArray(result) || result.length < 3)
    throw new Error(`eth_getWork: expected [header, seed, boundary], got ${JSON.stringify(result)?.slice(0, 120)}`);
  const headerHash = hash32(result[0], 'header hash');
  return boundaryWork(headerHash.toString('hex').slice(0, 16), headerHash, result[1], result[2], '');
}

/** eth-proxy: login with the worker in its own field, work pulled and pushed, full nonce + header + mix. */
export class EthProxyClient implements ClientDialect {
  readonly name = 'ethproxy' as const;
  private readonly login: string;
  private readonly worker: string | null;

  constructor(
    user: string,
    private readonly password: string,
  ) {
    ({ login: this.login, worker: this.worker } = splitUser(user));
  }

  private extra(): Record<string, unknown> {
    return this.worker === null ? { jsonrpc: '2.0' } : { jsonrpc: '2.0', worker: this.worker };
  }

  async handshake(conn: StratumConnection): Promise<void> {
    const ok = await conn.request('eth_submitLogin', [this.login, this.password], 30_000, this.extra());
    if (ok !== true) throw new Error(`pool refused login "${this.login}" (answer ${JSON.stringify(ok)})`);
  }

  async initialWork(conn: StratumConnection): Promise<EthashWork | null> {
    return parseGetWork(await conn.request('eth_getWork', [], 30_000, { jsonrpc: '2.0' }));
  }

  onNotification(): EthashWork | null {
    return null;
  }

  onPush(result: unknown): EthashWork | null {
    return Array.isArray(result) ? parseGetWork(result) : null;
  }

  nonceSpace(): NonceSpace {
    return FULL_NONCE_SPACE;
  }

  submit(conn: StratumConnection, work: EthashWork, nonce: bigint, mixDigest: Buffer): Promise<unknown> {
    return conn.request('eth_submitWork', fullProof(work, nonce, mixDigest), 30_000, this.extra());
  }
}

/** ethminer's plain stratum: empty subscribe, boundary inside mining.notify, full nonce + header + mix. */
export class EthminerStratumClient implements ClientDialect {
  readonly name = 'stratum' as const;

  constructor(
    private readonly user: string,
    private readonly password: string,
  ) {}

  async handshake(conn: StratumConnection): Promise<void> {
    await conn.request('mining.subscribe', [], 30_000, { jsonrpc: '2.0' });
    const authorized = await conn.request('mining.authorize', [this.user, this.password], 30_000, { jsonrpc: '2.0' });
    if (authorized !== true) throw new Error(`pool refused worker "${this.user}" (answer ${JSON.stringify(authorized)})`);
  }

  onNotification(msg: PoolMessage): EthashWork | null {
    if (msg.method !== 'mining.notify') return null;
    const [jobId, header, seed, boundaryHex] = msg.params;
    if (typeof jobId !== 'string') throw new Error('mining.notify: job_id must be a string');
    return boundaryWork(jobId, hash32(header, 'mining.notify header hash'), seed, boundaryHex, 'mining.notify ');
  }

  onPush(): EthashWork | null {
    return null;
  }

  async initialWork(): Promise<EthashWork | null> {
    return null;
  }

  nonceSpace(): NonceSpace {
    return FULL_NONCE_SPACE;
  }

  submit(conn: StratumConnection, work: EthashWork, nonce: bigint, mixDigest: Buffer): Promise<unknown> {
    const { login, worker } = splitUser(this.user);
    const params = [login, work.jobId, ...fullProof(work, nonce, mixDigest)];
    return conn.request('mining.submit', params, 30_000, worker === null ? { jsonrpc: '2.0' } : { jsonrpc: '2.0', worker });
  }
}

export function makeClientDialect(name: EthashClientDialect, user: string, password: string, userAgent: string): ClientDialect {
  switch (name) {
    case 'ethstratum':
      return new EthereumStratumClient(user, password, userAgent);
    case 'ethproxy':
      return new EthProxyClient(user, password);
    case 'stratum':
      return new EthminerStratumClient(user, password);
  }
}
