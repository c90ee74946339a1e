/** The Grafana dashboard parses, and every metric its queries name is one that a web port's /metrics exports. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import { makeView } from '../api/fixtures.js';

const DASHBOARD = path.join(import.meta.dirname, '../../deploy/grafana/gxc-pool.json');

interface Panel {
  title: string;
  datasource?: unknown;
  targets?: Array<{ expr?: string }>;
}

/** Metric names a scrape exposes: the # TYPE lines, plus a histogram's _bucket/_sum/_count series. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!m) continue;
    names.add(m[1] as string);
    if (m[2] === 'histogram' || m[2] === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m[1]}${s}`);
  }
  return names;
}

describe('deploy/grafana/gxc-pool.json', () => {
  it('parses and names only metrics /metrics exports', async () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ query?: unknown }> } };
    const app = createApiServer({ view: makeView('asic', Date.now()).view, store: {} as Store, logger: silentLogger });
    const scrape = await app.inject({ url: '/metrics' });
    await app.close();
    expect(scrape.statusCode).toBe(200);
    const exported = exportedNames(scrape.body);

    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
    exprs.push(...dashboard.templating.list.map((v) => JSON.stringify(v.query ?? '')));
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const p of dashboard.panels) {
      expect(p.datasource, p.title).toBeDefined();
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    const named = new Set(exprs.flatMap((e) => e.match(/\bgxc_pool_[a-z0-9_]+\b/g) ?? []));
    expect([...named].filter((n) => !exported.has(n))).toEqual([]);
    // The pool's own metrics are all charted.
    for (const core of [
      'gxc_pool_shares_total',
      'gxc_pool_blocks_total',
      'gxc_pool_accepted_difficulty_total',
      'gxc_pool_connections',
      'gxc_pool_node_up',
    ]) {
      expect(named.has(core), core).toBe(true);
    }
  });
});
