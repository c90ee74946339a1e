/** Miner usernames: `ADDRESS.WORKER` (also `ADDRESS_WORKER`, or a bare `ADDRESS` for worker "default"). */

export interface ParsedUsername {
  address: string;
  worker: string;
}

const WORKER_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function parseUsername(username: string, isValidAddress: (a: string) => boolean): ParsedUsername | { error: string } {
  const text = username.trim();
  if (text.length === 0) return { error: 'empty username: use ADDRESS.WORKER' };
  if (text.length > 200) return { error: 'username longer than 200 characters' };
  const dot = text.indexOf('.');
  if (dot >= 0) {
    const address = text.slice(0, dot);
    const worker = text.slice(dot + 1) || 'default';
    if (!WORKER_RE.test(worker)) return { error: `worker name '${worker.slice(0, 64)}' may only use letters, digits, _ and - (max 64)` };
    return { address, worker };
  }
  // Some miners only allow ADDRESS_WORKER; an address itself may not contain '_' in any chain we serve.
  if (isValidAddress(text)) return { address: text, worker: 'default' };
  const us = text.lastIndexOf('_');
  if (us > 0) {
    const address = text.slice(0, us);
    const worker = text.slice(us + 1) || 'default';
    if (WORKER_RE.test(worker)) return { address, worker };
  }
  return { address: text, worker: 'default' };
}
