import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../../src/services/budget/budget.js';
import type { ReservationStore } from '../../../src/services/budget/types.js';

const fast = { intervalMs: 5, burst: 1 };

describe('RateBudget', () => {
  it('lets the callers of one key through in the order they asked (round robin between threads)', async () => {
    const budget = new RateBudget();
    const order: string[] = [];
    const asks = ['a', 'b', 'c', 'a', 'b', 'c'].map((who) => budget.take('k', fast).then(() => order.push(who)));
    await Promise.all(asks);
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(budget.waiting).toBe(0);
  });

  it('keeps keys apart: a busy channel does not hold up another', async () => {
    const budget = new RateBudget();
    const order: string[] = [];
    const slow = { intervalMs: 500, burst: 1 };
    await budget.take('busy', slow);
    const held = budget.take('busy', slow).then(() => order.push('busy'));
    await budget.take('quiet', slow).then(() => order.push('quiet'));
    expect(order).toEqual(['quiet']);
    expect(budget.waiting).toBe(1);
    await held;
    expect(order).toEqual(['quiet', 'busy']);
  });

  it('falls back to this process’s own pacing when the shared store fails, without asking it again at every call', async () => {
    let asked = 0;
    const broken: ReservationStore = {
      reserve: () => (asked++, Promise.reject(new Error('redis down'))),
      penalize: () => Promise.reject(new Error('redis down')),
      close: async () => {},
    };
    const budget = new RateBudget(broken);
    for (let i = 0; i < 5; i++) await budget.take('k', fast);
    await budget.penalize('k', fast, 1);
    await budget.take('k', fast);
    // An outage costs one failed ask, not one per call: the rest go by this process's memory for a while.
    expect(asked).toBe(1);
    expect(budget.waiting).toBe(0);
  });
});
