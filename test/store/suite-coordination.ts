/** Shared suite, part 2: instance ids and leadership leases (with concurrency when the backend has it). */
import { describe, expect, it } from 'vitest';
import { ManualClock, useFreshDatabases, type StoreHarness } from './support.js';

export function coordinationSuite(harness: StoreHarness): void {
  const fresh = useFreshDatabases(harness);

  describe('instances', () => {
    it('hands out the lowest free id, reuses released ids, and detects a lost lease', async () => {
      const clock = new ManualClock();
      const { store, peer } = await fresh({ now: clock.now });
      const other = await peer({ now: clock.now });
      expect(await store.registerInstance('a', { leaseMs: 1_000 })).toBe(0);
      expect(await other.registerInstance('b', { leaseMs: 1_000 })).toBe(1);
      expect(await store.registerInstance('c', { leaseMs: 1_000 })).toBe(2);
      await other.releaseInstance(1);
      expect(await other.registerInstance('d', { leaseMs: 1_000 })).toBe(1);

      clock.advance(900);
      expect(await store.heartbeatInstance(0)).toBe(true); // 0 now lives until +1900
      clock.advance(500); // 2 expired at +1000, 1 at +1000
      expect(await other.registerInstance('e', { leaseMs: 1_000 })).toBe(1);
      expect(await other.registerInstance('f', { leaseMs: 1_000 })).toBe(2);
      expect(await store.heartbeatInstance(2)).toBe(false); // taken over by 'f'
      expect(await store.heartbeatInstance(0)).toBe(true);
      await expect(store.heartbeatInstance(7)).rejects.toThrow(/instance id 7 was not registered by this store/);
      // Releasing a lost id must not free the new owner's lease.
      await store.releaseInstance(2);
      expect(await other.heartbeatInstance(2)).toBe(true);
    });

    it('refuses a 257th live instance with a clear error', async () => {
      const { store } = await fresh();
      for (let i = 0; i < 256; i++) expect(await store.registerInstance(`i${i}`)).toBe(i);
      await expect(store.registerInstance('one too many')).rejects.toThrow(/all 256 instance ids are held/);
      await expect(store.registerInstance('x', { leaseMs: 0 })).rejects.toThrow(/leaseMs must be a positive integer/);
    });

    it('gives concurrent registrations from several Store objects distinct ids', async () => {
      const { store, peer } = await fresh();
      const stores = harness.concurrentPeers ? [store, await peer(), await peer()] : [store];
      const ids = await Promise.all(Array.from({ length: 24 }, (_, i) => (stores[i % stores.length] ?? store).registerInstance(`n${i}`)));
      expect(new Set(ids).size).toBe(24);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    });
  });

  describe('leadership leases', () => {
    it('has one holder, renews for it, fails over after expiry, and releases', async () => {
      const clock = new ManualClock();
      const { store, peer } = await fresh({ now: clock.now });
      const other = await peer({ now: clock.now });
      const t0 = clock.t;
      expect(await store.leaseOf('payments')).toBeNull();
      expect(await store.tryAcquireLease('payments', 'inst-a', 30_000)).toBe(true);
      expect(await other.tryAcquireLease('payments', 'inst-b', 30_000)).toBe(false);
      expect(await other.tryAcquireLease('confirmations', 'inst-b', 30_000)).toBe(true); // roles are independent
      clock.advance(20_000);
      expect(await store.tryAcquireLease('payments', 'inst-a', 30_000)).toBe(true); // renewal
      expect(await store.leaseOf('payments')).toEqual({ role: 'payments', holder: 'inst-a', acquiredAt: t0, expiresAt: t0 + 50_000 });
      clock.advance(29_999);
      expect(await other.tryAcquireLease('payments', 'inst-b', 30_000)).toBe(false);
      clock.advance(1); // expired exactly now
      expect(await other.tryAcquireLease('payments', 'inst-b', 30_000)).toBe(true);
      expect(await store.tryAcquireLease('payments', 'inst-a', 30_000)).toBe(false); // the old holder lost it
      expect((await store.leaseOf('payments'))?.holder).toBe('inst-b');
      await store.releaseLease('payments', 'inst-a'); // not the holder: no effect
      expect((await store.leaseOf('payments'))?.holder).toBe('inst-b');
      await other.releaseLease('payments', 'inst-b');
      expect(await store.tryAcquireLease('payments', 'inst-a', 30_000)).toBe(true);
      await expect(store.tryAcquireLease('payments', 'inst-a', -5)).rejects.toThrow(/ttlMs must be a positive integer/);
    });

    it('lets exactly one of many simultaneous contenders win', async () => {
      const { store, peer } = await fresh();
      const stores = harness.concurrentPeers ? [store, await peer(), await peer()] : [store];
      for (let round = 0; round < 3; round++) {
        const role = `role-${round}`;
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (stores[i % stores.length] ?? store).tryAcquireLease(role, `holder-${i}`, 60_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await store.leaseOf(role))?.holder).toBe(`holder-${winner}`);
      }
    });
  });
}
