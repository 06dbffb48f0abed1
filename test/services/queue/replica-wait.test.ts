import { describe, expect, it } from 'vitest';
import { ReplicaWait } from '../../../src/services/queue/replica-wait.js';

/** A connection whose WAITs end when the test says, in the order they were sent. */
function fakeClient() {
  const sent: ((n: number) => void)[] = [];
  return { sent, client: { wait: (() => new Promise<number>((resolve) => sent.push(resolve))) as never } };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('ReplicaWait', () => {
  it('sends one WAIT for the writes answered together, and one more for those answered while it is out', async () => {
    const f = fakeClient();
    const w = new ReplicaWait(f.client, 500);
    const first = [w.held(), w.held(), w.held()];
    await tick();
    expect(f.sent).toHaveLength(1);
    // Answered while the first WAIT is out: it may have been sent before these writes, so they wait for the next.
    const second = [w.held(), w.held()];
    await tick();
    expect(f.sent).toHaveLength(1);
    f.sent[0]!(1);
    expect(await Promise.all(first)).toEqual([true, true, true]);
    await tick();
    expect(f.sent).toHaveLength(2);
    f.sent[1]!(0);
    expect(await Promise.all(second)).toEqual([false, false]);
    // Nothing out: the next caller's WAIT goes at once.
    const third = w.held();
    await tick();
    expect(f.sent).toHaveLength(3);
    f.sent[2]!(1);
    expect(await third).toBe(true);
  });
});
