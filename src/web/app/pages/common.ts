/** Pieces several pages share: loading/error notices and the "what changed" listener for live events. */
import type { PageContext } from '../context.js';
import { h } from '../dom.js';
import { type LiveEvent, throttle } from '../live.js';

export function errorNotice(what: string, err: unknown): HTMLElement {
  return h('div', { class: 'notice error', role: 'alert' }, `${what}: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Refreshes the page's data when one of `events` arrives (at most once per `minMs`), and once at once. The live
 * events say what changed; the page refetches it, so it never shows half an update.
 */
export function liveRefresh(ctx: PageContext, events: readonly LiveEvent[], load: () => Promise<void>, minMs = 1000): void {
  const refresh = throttle(load, minMs);
  ctx.onLeave(ctx.live.subscribe((name) => events.includes(name) && refresh()));
  void load();
}

export function section(title: string, ...children: Array<Node | null>): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

export function pageTitle(title: string, sub?: string): HTMLElement {
  return h('div', { class: 'page-title' }, h('h1', {}, title), sub ? h('p', { class: 'muted' }, sub) : null);
}
