/**
 * Feeds one connection's share and authorization verdicts to the ban policy, by wrapping the backend its dialect
 * session talks to: the sessions stay unaware of bans. Only verdicts that are the miner's doing count as invalid
 * (a duplicate, a share below its difficulty); stale jobs and the pool's own refusals (load, storage) do not.
 */
import type { BanRegistry } from './bans.js';
import { StratumErrorCode, type StratumBackend } from './types.js';

function isMinersFault(code: StratumErrorCode): boolean {
  return code === StratumErrorCode.Duplicate || code === StratumErrorCode.LowDifficulty;
}

export function watchBackend(backend: StratumBackend, address: string, bans: BanRegistry): StratumBackend {
  const judge = bans.shareJudge(address);
  return {
    currentJob: () => backend.currentJob(),
    reissueCurrentJob: () => backend.reissueCurrentJob(),
    hasJob: (jobId) => backend.hasJob(jobId),
    async authorize(username, password) {
      const result = await backend.authorize(username, password);
      if (!result.ok) bans.record(address, 'badAuthorization');
      return result;
    },
    async submitShare(ctx, req) {
      const verdict = await backend.submitShare(ctx, req);
      if (verdict.ok) judge.share(true);
      else if (isMinersFault(verdict.code)) judge.share(false);
      return verdict;
    },
  };
}
