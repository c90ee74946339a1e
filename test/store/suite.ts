/**
 * The one Store test suite: every backend runs it (test/store/sqlite.test.ts, test/store/postgres.test.ts), so
 * both implement the contract in src/store/types.ts identically.
 */
import { describe } from 'vitest';
import { coordinationSuite } from './suite-coordination.js';
import { ledgerSuite } from './suite-ledger.js';
import { seriesSuite } from './suite-series.js';
import { sharesAndBlocksSuite } from './suite-shares.js';
import type { StoreHarness } from './support.js';

export type { StoreHarness, TestDatabase } from './support.js';

export function storeSuite(harness: StoreHarness): void {
  describe(`${harness.name} store`, () => {
    describe('shares and blocks', () => sharesAndBlocksSuite(harness));
    describe('coordination', () => coordinationSuite(harness));
    describe('ledger', () => ledgerSuite(harness));
    describe('series and API queries', () => seriesSuite(harness));
  });
}
