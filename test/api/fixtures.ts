/**
 * A seeded pool database and hand-built pool views for the API tests: known shares at known times, blocks with
 * rewards, payments, and the live figures a running pool would give. Every figure the tests expect follows from
 * the numbers here.
 */
import type { PoolView } from '../../src/api/view.js';
import type { PayoutPlan } from '../../src/ledger/payouts/plan.js';
import type { WorkerLiveStats } from '../../src/pool/worker-stats.js';
import type { Store } from '../../src/store/types.js';
import type { BanEntry, BanList, StratumSessionSummary } from '../../src/stratum/types.js';

export const A = 'tGXCaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const B = 'tGXCbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
export const NOBODY = 'tGXCcccccccccccccccccccccccccccc';
export const MIN = 60_000;

export interface Seeded {
  /** The minute bucket (start) holding the recent shares. */
  minute: number;
  blockIds: number[];
  blockHashes: string[];
  paymentIds: number[];
}

/**
 * Shares of the asic pool: 2 minutes ago A.w1 ×2 (difficulty 4 each, best 40), A.w2 ×1 (difficulty 2), B.rig ×1
 * (difficulty 8); an hour ago A.w1 ×1 (difficulty 100, outside the 10-minute window). Three blocks found by B,
 * the last of them credited and confirmed; two payments to A.
 */
export async function seed(store: Store, now: number): Promise<Seeded> {
  const minute = Math.floor((now - 2 * MIN) / MIN) * MIN;
  let n = 0;
  const mk = (address: string, worker: string, createdAt: number, difficulty: number, actualDifficulty: number) => ({
    pool: 'asic',
    instanceId: 0,
    address,
    worker,
    jobId: 'j',
    height: 10,
    difficulty,
    networkDifficulty: 64,
    actualDifficulty,
    hash: (++n).toString(16).padStart(64, '0'),
    isBlock: false,
    createdAt,
  });
  await store.insertShares([mk(A, 'w1', now - 60 * MIN, 100, 120)]);
  const blockIds: number[] = [];
  const blockHashes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const ids = await store.insertShares([mk(A, 'w1', minute + 1000 + i, 4, i === 0 ? 40 : 5), mk(B, 'rig', minute + 2000 + i, i === 2 ? 8 : 0, 70)]);
    const hash = `${i + 1}`.repeat(64);
    blockHashes.push(hash);
    blockIds.push(
      await store.insertBlock({
        pool: 'asic',
        chain: 'gxc',
        height: 10 + i,
        hash,
        prevHash: 'cd'.repeat(32),
        headerHex: '00'.repeat(80),
        submission: '',
        address: B,
        worker: 'rig',
        reward: 5_000_000_000n,
        networkDifficulty: 64,
        shareId: ids[1] as number,
        createdAt: minute + 3000 + i,
      }),
    );
    await store.updateBlock(blockIds[i] as number, { status: 'pending' });
  }
  await store.insertShares([mk(A, 'w2', minute + 5000, 2, 3)]);
  await store.creditBlock({
    blockId: blockIds[2] as number,
    credits: [
      { address: A, amount: 3_000_000_000n, shareDifficultySum: 4, shareCount: 1 },
      { address: B, amount: 1_950_000_000n, shareDifficultySum: 8, shareCount: 1 },
    ],
    fees: [{ address: B, amount: 50_000_000n }],
    status: 'confirmed',
  });
  const paymentIds: number[] = [];
  for (const amount of [100_000_000n, 200_000_000n]) {
    const [p] = await store.createPayments('asic', [{ address: A, amount }]);
    paymentIds.push(p?.id as number);
  }
  await store.markPaymentsSent([paymentIds[0] as number], 'ee'.repeat(32));
  await store.rollupSeries('asic', 60, now - 2 * 3_600_000, now, 64);
  await store.rollupSeries('asic', 3600, now - 2 * 3_600_000, now, 64);
  return { minute, blockIds, blockHashes, paymentIds };
}

export class FakeBans implements BanList {
  readonly entries = new Map<string, BanEntry>();
  list(): BanEntry[] {
    return [...this.entries.values()];
  }
  ban(address: string, durationMs: number, reason: string): BanEntry {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`not an IP address: ${address}`);
    const entry = { key: address, reason, since: 1, until: 1 + durationMs };
    this.entries.set(address, entry);
    return entry;
  }
  lift(key: string): boolean {
    return this.entries.delete(key);
  }
}

export interface ViewHandles {
  view: PoolView;
  kicked: string[];
  bans: FakeBans;
  payoutRuns: number;
  plan: PayoutPlan;
}

export function makeView(name: string, now: number): ViewHandles {
  const kicked: string[] = [];
  const bans = new FakeBans();
  const live: WorkerLiveStats[] = [
    {
      address: A,
      worker: 'w1',
      accepted: 3,
      rejected: 1,
      acceptedDifficulty: 12,
      bestShareDifficulty: 41,
      lastShareAt: now - 1000,
      rejectsByReason: { stale: 1, duplicate: 0, low_difficulty: 0, other: 0 },
    },
  ];
  const session: StratumSessionSummary = {
    id: 's1',
    remote: '127.0.0.1',
    algorithm: 'sha256d',
    worker: 'w1',
    address: A,
    userAgent: 'cgminer/4.12',
    subscribed: true,
    authorized: true,
    difficulty: 4,
    sharesAccepted: 3,
    sharesRejected: 1,
    difficultyAccepted: 12,
    connectedSince: new Date(now - 5000),
    lastShareAt: new Date(now - 1000),
  };
  const handles: ViewHandles = {
    kicked,
    bans,
    payoutRuns: 0,
    plan: {
      pool: name,
      at: now,
      minPayout: 1_000_000n,
      payouts: [{ address: A, amount: 2_700_000_000n, immature: 0n, previousFailures: 0, reason: 'confirmed balance >= minimum' }],
      total: 2_700_000_000n,
      skipped: [],
      inFlight: [],
      sendMode: 'sendmany',
      walletBalance: null,
      walletNote: null,
    },
    view: undefined as unknown as PoolView,
  };
  handles.view = {
    name,
    algorithms: name === 'gpu' ? ['ethash'] : ['sha256d'],
    chain: 'gxc',
    coinSymbol: 'GXC',
    stratumPort: name === 'gpu' ? 3334 : 3335,
    webPort: name === 'gpu' ? 6001 : 6002,
    counters: { accepted: 3, rejected: 1, stale: 1, duplicate: 0, lowDifficulty: 0, blocksFound: 3, blocksRejected: 0 },
    minerCounters: () => [{ address: A, accepted: 3, rejected: 1, lastShareAt: now - 1000, workers: 1 }],
    connectedSessions: () => [{ address: A, worker: 'w1', difficulty: 4, connectedAt: now - 5000, remote: '127.0.0.1' }],
    startingDifficulty: 16,
    currentJob: () => ({ id: '0000000a', height: 13, networkDifficulty: 64, prevHash: 'ab'.repeat(32) }),
    nodeError: () => null,
    validateAddress: (a) => (/^tGXC[0-9A-Za-z]{22,58}$/.test(a) ? null : 'expected tGXC and 22-58 letters or digits'),
    refreshWork: async () => undefined,
    payout: { scheme: 'pplns', feePercent: 1, pplnsWindow: 2, minPayout: '0.01', maturity: 6, intervalSeconds: 3600 },
    network: () => ({ node: 'devnet (gxc)', dialect: 'gxc', lastTemplateAt: now - 2000, blockIntervalSeconds: 30 }),
    workers: (address) => live.filter((w) => address === undefined || w.address === address),
    acceptedDifficultyTotal: () => 12,
    admin: {
      sessions: () => [session],
      kick: (id) => {
        if (id !== 's1') return false;
        kicked.push(id);
        return true;
      },
      bans,
      payouts: {
        dryRun: async () => handles.plan,
        runNow: async () => {
          handles.payoutRuns++;
          return { leader: true, lifecycle: null, payments: null, errors: [] };
        },
      },
      nodeErrors: () => [{ at: now - 60_000, message: 'connect ECONNREFUSED 127.0.0.1:8332' }],
    },
  };
  return handles;
}
