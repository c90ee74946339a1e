/** A few DOM helpers so the pages read as markup: h('td', { class: 'num' }, text). Text is always set as text (no HTML injection). */
import { formatExactTime, formatRelativeTime, toMillis } from './format.js';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A relative time ("12 s ago") with the exact time on hover; kept current by `tickTimes`. */
export function timeAgo(time: number | string | null | undefined): HTMLElement {
  const ms = toMillis(time);
  if (ms === null) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: new Date(ms).toISOString(), title: formatExactTime(ms), 'data-t': ms }, formatRelativeTime(ms));
}

export function tickTimes(root: ParentNode = document): void {
  const now = Date.now();
  for (const el of root.querySelectorAll<HTMLElement>('time[data-t]')) el.textContent = formatRelativeTime(Number(el.dataset.t), now);
}

/** A table with a header row; an empty body shows `empty` across all columns. */
export function table(headers: Array<string | [string, string]>, rows: HTMLTableRowElement[], empty: string): HTMLElement {
  const head = h('tr', {}, ...headers.map((c) => (Array.isArray(c) ? h('th', { class: c[1] }, c[0]) : h('th', {}, c))));
  const body = rows.length ? rows : [h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty))];
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, head), h('tbody', {}, ...body)));
}

/** A labelled figure for the overview cards. */
export function stat(label: string, value: Child, sub?: Child, testId?: string): HTMLElement {
  // "8.48 kH/s", "247.5 GXC": the unit is drawn smaller so the figure reads first.
  const parts = typeof value === 'string' ? /^(-?[\d.,]+) (\S+)$/.exec(value) : null;
  if (parts) value = h('span', {}, parts[1], h('span', { class: 'unit' }, ` ${parts[2]}`));
  return h(
    'div',
    { class: 'stat', 'data-testid': testId },
    h('div', { class: 'stat-label' }, label),
    h('div', { class: 'stat-value' }, value),
    sub ? h('div', { class: 'stat-sub' }, sub) : null,
  );
}

export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge badge-${status.replace(/[^a-z_-]/gi, '')}`, 'data-status': status }, status.replace(/_/g, ' '));
}
