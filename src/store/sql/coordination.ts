/**
 * Coordination between pool instances sharing one database: instance ids (extranonce1 prefix) and leadership
 * leases. Both are lease rows changed by a single conditional upsert, so they behave the same on SQLite and
 * PostgreSQL and need no session-bound locks (PG advisory locks would be lost or leaked with pooled connections).
 * Times come from the Store's clock: instances sharing a database must have synchronised clocks (NTP), and leases
 * must be much longer than the clock skew.
 */
import { randomBytes } from 'node:crypto';
import { StoreError } from '../errors.js';
import type { LeaseRow } from '../types.js';
import { toNum, toStr, type SqlExecutor } from './db.js';

export const MAX_INSTANCE_ID = 255;
export const DEFAULT_INSTANCE_LEASE_MS = 60_000;
/** Each attempt either wins an id or loses a race for one; 256 ids bound the number of races that can be lost. */
const REGISTER_ATTEMPTS = MAX_INSTANCE_ID + 2;

function checkTtl(field: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new StoreError(`${field} must be a positive integer of ms, got ${ms}`);
}

/** Claims the lowest free id; returns it with the token that proves ownership in later heartbeats. */
export async function registerInstance(q: SqlExecutor, name: string, leaseMs: number, now: () => number): Promise<{ id: number; token: string }> {
  checkTtl('leaseMs', leaseMs);
  const token = randomBytes(16).toString('hex');
  for (let attempt = 0; attempt < REGISTER_ATTEMPTS; attempt++) {
    const t = now();
    const { rows } = await q.query('SELECT id FROM instances WHERE lease_until > $1 ORDER BY id', [t]);
    const live = new Set(rows.map((r) => toNum(r.id)));
    let candidate = -1;
    for (let id = 0; id <= MAX_INSTANCE_ID; id++) {
      if (!live.has(id)) {
        candidate = id;
        break;
      }
    }
    if (candidate < 0) throw new StoreError(`all ${MAX_INSTANCE_ID + 1} instance ids are held by live instances`);
    // Inserts a new id, or takes over an expired one; a live row (someone won the race) makes it return nothing.
    const won = await q.query(
      `INSERT INTO instances (id, name, token, lease_ms, registered_at, heartbeat_at, lease_until)
       VALUES ($1, $2, $3, $4, $5, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, token = excluded.token, lease_ms = excluded.lease_ms,
         registered_at = excluded.registered_at, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until
       WHERE instances.lease_until <= $5
       RETURNING id`,
      [candidate, name, token, leaseMs, t, t + leaseMs],
    );
    if (won.rows.length === 1) return { id: candidate, token };
  }
  throw new StoreError('could not register an instance id: too much contention');
}

/** Extends the lease if the row still carries our token (nobody took the id over). */
export async function heartbeatInstance(q: SqlExecutor, id: number, token: string, now: number): Promise<boolean> {
  const res = await q.query('UPDATE instances SET heartbeat_at = $1, lease_until = $1 + lease_ms WHERE id = $2 AND token = $3', [now, id, token]);
  return res.rowCount === 1;
}

export async function releaseInstance(q: SqlExecutor, id: number, token: string): Promise<void> {
  await q.query('DELETE FROM instances WHERE id = $1 AND token = $2', [id, token]);
}

export async function tryAcquireLease(q: SqlExecutor, role: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
  checkTtl('ttlMs', ttlMs);
  if (role === '' || holder === '') throw new StoreError('lease role and holder must not be empty');
  // acquired_at is kept on renewal so it shows since when the holder leads.
  const res = await q.query(
    `INSERT INTO leases (role, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
       acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
     WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.acquired_at
     RETURNING role`,
    [role, holder, now, now + ttlMs],
  );
  return res.rows.length === 1;
}

export async function releaseLease(q: SqlExecutor, role: string, holder: string): Promise<void> {
  await q.query('DELETE FROM leases WHERE role = $1 AND holder = $2', [role, holder]);
}

export async function leaseOf(q: SqlExecutor, role: string): Promise<LeaseRow | null> {
  const { rows } = await q.query('SELECT role, holder, acquired_at, expires_at FROM leases WHERE role = $1', [role]);
  const r = rows[0];
  if (r === undefined) return null;
  return { role: toStr(r.role), holder: toStr(r.holder), acquiredAt: toNum(r.acquired_at), expiresAt: toNum(r.expires_at) };
}
