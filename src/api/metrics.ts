/**
 * Prometheus metrics for one pool's web port (`GET /metrics`). Values are read from the pool's own counters at
 * scrape time, so nothing is added to the share hot path.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolView } from './view.js';

/** The registry one pool's `/metrics` answers with (the server owns the route). */
export function createMetricsRegistry(view: PoolView): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ pool: view.name });
  collectDefaultMetrics({ register: registry, prefix: 'gxc_pool_process_' });

  // Counters mirror the pool's monotonic in-process counters: reset, then set to the current total.
  const mirror = (metric: Counter<string>, labels: Record<string, string>, total: number): void => {
    metric.reset();
    metric.inc(labels, total);
  };
  new Counter({
    name: 'gxc_pool_shares_total',
    help: 'Shares answered by this process, by result',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const c = view.counters;
      this.reset();
      this.inc({ result: 'accepted' }, c.accepted);
      this.inc({ result: 'stale' }, c.stale);
      this.inc({ result: 'duplicate' }, c.duplicate);
      this.inc({ result: 'low_difficulty' }, c.lowDifficulty);
      this.inc({ result: 'other' }, Math.max(0, c.rejected - c.stale - c.duplicate - c.lowDifficulty));
    },
  });
  new Counter({
    name: 'gxc_pool_blocks_total',
    help: 'Blocks submitted to the node by this process, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const c = view.counters;
      mirror(this, { outcome: 'accepted' }, c.blocksFound);
      this.inc({ outcome: 'rejected' }, c.blocksRejected);
      this.inc({ outcome: 'no_verdict' }, c.blocksUncertain ?? 0);
    },
  });
  new Counter({
    name: 'gxc_pool_accepted_difficulty_total',
    help: 'Sum of the credited difficulty of accepted shares (hashrate = rate(this) * 2^32)',
    registers: [registry],
    collect() {
      mirror(this, {}, view.acceptedDifficultyTotal?.() ?? 0);
    },
  });
  new Gauge({
    name: 'gxc_pool_connections',
    help: 'Stratum connections open on this pool',
    registers: [registry],
    collect() {
      this.set(view.connectionCount?.() ?? view.connectedSessions().length);
    },
  });
  new Gauge({
    name: 'gxc_pool_node_up',
    help: '1 while the node answers, 0 while it does not',
    registers: [registry],
    collect() {
      this.set(view.nodeError() === null ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gxc_pool_height',
    help: 'Height of the block being mined (0 while there is no work)',
    registers: [registry],
    collect() {
      this.set(view.currentJob()?.height ?? 0);
    },
  });
  new Gauge({
    name: 'gxc_pool_network_difficulty',
    help: 'Network difficulty of the current work (diff1 / target)',
    registers: [registry],
    collect() {
      this.set(view.currentJob()?.networkDifficulty ?? 0);
    },
  });

  return registry;
}
