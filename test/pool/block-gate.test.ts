import { describe, expect, it } from 'vitest';
import { BlockGate, type GateTurn } from '../../src/pool/block-gate.js';

const PREV = 'aa'.repeat(32);

function slotOf(turn: GateTurn | 'busy'): Extract<GateTurn, { kind: 'submit' }>['slot'] {
  if (turn === 'busy' || turn.kind !== 'submit') throw new Error(`expected a submit turn, got ${JSON.stringify(turn)}`);
  return turn.slot;
}

describe('BlockGate', () => {
  it('one candidate per previous block in flight; once accepted, the waiting and later ones are superseded', async () => {
    const gate = new BlockGate();
    const first = slotOf(gate.acquire(PREV));
    expect(gate.acquire(PREV)).toBe('busy');
    const waiting = [gate.wait(PREV), gate.wait(PREV)];
    // Another previous block is independent.
    expect(gate.acquire('bb'.repeat(32))).toMatchObject({ kind: 'submit' });
    first.settle('accepted', 'hash-1');
    expect(await Promise.all(waiting)).toEqual([
      { kind: 'superseded', acceptedHash: 'hash-1' },
      { kind: 'superseded', acceptedHash: 'hash-1' },
    ]);
    expect(gate.acquire(PREV)).toEqual({ kind: 'superseded', acceptedHash: 'hash-1' });
    expect(gate.acceptedOn(PREV)).toBe('hash-1');
    expect(gate.stats).toEqual({ submitted: 2, superseded: 3, waited: 2, overflow: 0 });
  });

  it('a refused candidate or one without a verdict lets the next waiting one go, in arrival order', async () => {
    const gate = new BlockGate();
    const first = slotOf(gate.acquire(PREV));
    const second = gate.wait(PREV);
    const third = gate.wait(PREV);
    first.settle('refused');
    const secondSlot = slotOf(await second);
    expect(gate.acquire(PREV)).toBe('busy');
    secondSlot.settle('no-verdict');
    const thirdSlot = slotOf(await third);
    // Settling twice has no effect: the slot is released once.
    secondSlot.settle('accepted', 'nope');
    expect(gate.acceptedOn(PREV)).toBeNull();
    thirdSlot.settle('accepted', 'hash-3');
    expect(gate.acceptedOn(PREV)).toBe('hash-3');
    expect(gate.stats.submitted).toBe(3);
  });

  it('bounds the waiters per previous block and the previous blocks remembered', async () => {
    const gate = new BlockGate({ maxWaitingPerPrev: 2, maxPrevHashes: 3 });
    const held = slotOf(gate.acquire(PREV));
    void gate.wait(PREV);
    void gate.wait(PREV);
    expect(await gate.wait(PREV)).toEqual({ kind: 'overflow' });
    for (let i = 0; i < 5; i++) slotOf(gate.acquire(`prev-${i}`)).settle('accepted', `h-${i}`);
    // The one in flight is never forgotten; the oldest settled ones are.
    expect(gate.acquire(PREV)).toBe('busy');
    expect(gate.acceptedOn('prev-0')).toBeNull();
    expect(gate.acceptedOn('prev-4')).toBe('h-4');
    held.settle('refused');
    expect(gate.stats.overflow).toBe(1);
  });

  it('offer: runs the submission in turn and settles with its verdict; a throw counts as no verdict', async () => {
    const gate = new BlockGate();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const a = gate.offer(PREV, async () => {
      order.push('a');
      await held;
      throw new Error('node unreachable');
    });
    const b = gate.offer(PREV, async () => {
      order.push('b');
      return { verdict: 'accepted', blockHash: 'hash-b' };
    });
    const c = gate.offer(PREV, async () => {
      order.push('c');
      return { verdict: 'accepted' };
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a']);
    release();
    await expect(a).rejects.toThrow('node unreachable');
    expect(await b).toBe('submit');
    expect(await c).toBe('superseded');
    expect(order).toEqual(['a', 'b']);
  });
});
