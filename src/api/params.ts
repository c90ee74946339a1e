/**
 * Request plumbing shared by the routes: which pool a request is about (`?pool=NAME`, default the port's own),
 * pagination (`limit`, `cursor`; the next page's cursor in the X-Next-Cursor header), and 4xx errors.
 */
import type { FastifyReply } from 'fastify';
import type { SpoolState } from '../store/spool/spool.js';
import type { Store } from '../store/types.js';
import type { PoolView } from './view.js';

/** Thrown by handlers: the error handler answers `statusCode` with `{ error: message }`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiContext {
  /** The pool whose port this is (the default of `?pool=`). */
  own: PoolView;
  /** Every pool this process runs (the own one included). */
  pools(): readonly PoolView[];
  store: Store;
  /** The PostgreSQL spool's state for /api/health; absent or null: no spool (SQLite). */
  spool?: () => SpoolState | null;
}

export const POOL_PARAM = {
  type: 'string',
  pattern: '^[a-z0-9_-]{1,32}$',
  description: "Pool name (see /api/pools); default: this port's own pool",
} as const;
export const LIMIT_PARAM = { type: 'integer', minimum: 1, maximum: 1000, description: 'Page size' } as const;
export const CURSOR_PARAM = {
  type: 'string',
  pattern: '^[0-9]{1,15}$',
  description: 'Opaque cursor from the X-Next-Cursor header of the previous page',
} as const;

export function selectPool(ctx: ApiContext, name: string | undefined): PoolView {
  if (name === undefined || name === ctx.own.name) return ctx.own;
  const found = ctx.pools().find((p) => p.name === name);
  if (!found) {
    const names = ctx.pools().map((p) => p.name);
    throw new ApiError(400, `unknown pool '${name}': this process runs ${names.join(', ')}`);
  }
  return found;
}

/** Offset cursors (ranked lists): the cursor is the index of the first item of the page. */
export function offsetOf(cursor: string | undefined): number {
  return cursor === undefined ? 0 : Number(cursor);
}

/** Id cursors (newest-first lists): the cursor is the id the page starts below. */
export function beforeIdOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const id = Number(cursor);
  if (id < 1) throw new ApiError(400, `cursor must be a positive id, got ${JSON.stringify(cursor)}`);
  return id;
}

/** Sets X-Next-Cursor when another page exists. */
export function nextCursor(reply: FastifyReply, cursor: string | number | null): void {
  if (cursor !== null) void reply.header('x-next-cursor', String(cursor));
}

/** A page of an in-memory ranked list (offset cursor). */
export function pageOf<T>(reply: FastifyReply, items: readonly T[], limit: number, cursor: string | undefined): T[] {
  const start = offsetOf(cursor);
  const page = items.slice(start, start + limit);
  nextCursor(reply, start + limit < items.length ? start + limit : null);
  return page;
}

export function validAddressOr400(view: PoolView, address: string): void {
  const problem = address.length > 128 ? 'longer than 128 characters' : view.validateAddress(address);
  if (problem !== null) throw new ApiError(400, `not a valid address: ${problem}`);
}
