import { describe, expect, it } from 'vitest';
import { SharedFollows } from '../../../src/adapters/web/shared-follows.js';
import type { EntryHandler, Following, RelayUpdate, ThreadRelay } from '../../../src/relay/entry.js';
import { MemoryRelay } from '../../../src/relay/memory-relay.js';
import type { ThreadRef } from '../../../src/core/thread.js';
import { until } from '../../helpers/until.js';

const ref: ThreadRef = { platform: 'console', channel: 'c', rootId: 'r', requester: { key: 'console:a', name: 'a' } };

/** The memory relay, counting the reads of threads it is asked for. */
class CountingRelay {
  follows = 0;
  open = 0;
  constructor(readonly inner: ThreadRelay) {}
  follow(r: ThreadRef, onEntry: EntryHandler, after?: string): Following {
    this.follows++;
    this.open++;
    const f = this.inner.follow(r, onEntry, after);
    void f.done.then(() => this.open--);
    return f;
  }
}

const texts = (seen: { text?: unknown }[]) => seen.map((e) => e.text);
const collect = (shared: SharedFollows) => {
  const seen: { op: string; text?: unknown }[] = [];
  const f = shared.follow(ref, (e) => {
    seen.push(e);
    return e.op === 'final';
  });
  return { seen, f };
};

describe('SharedFollows: one relay read per thread for every job page on it', () => {
  it('gives every page the whole thread in order, a late one from the start, with one read', async () => {
    const memory = new MemoryRelay('w');
    const relay = new CountingRelay(memory);
    const shared = new SharedFollows(relay);
    const publish = (u: RelayUpdate) => memory.publish(ref, u);
    const a = collect(shared);
    const b = collect(shared);
    publish({ op: 'edit', id: 's', text: 'one' });
    publish({ op: 'output', lines: [{ n: 1, text: 'x' }] });
    await until(() => a.seen.length === 2 && b.seen.length === 2);
    const late = collect(shared);
    publish({ op: 'reply', text: 'two' });
    publish({ op: 'final', text: 'done' });
    await Promise.all([a.f.done, b.f.done, late.f.done]);
    for (const p of [a, b, late]) expect(texts(p.seen)).toEqual(['one', undefined, 'two', 'done']);
    expect(relay.follows).toBe(1);
    await until(() => relay.open === 0);
    expect(shared.reading).toBe(0);
  });

  it('lets a page that needs entries the shared read dropped read the thread itself, so it misses none', async () => {
    const memory = new MemoryRelay('w');
    const relay = new CountingRelay(memory);
    const shared = new SharedFollows(relay, 2);
    const publish = (u: RelayUpdate) => memory.publish(ref, u);
    const a = collect(shared);
    for (const text of ['one', 'two', 'three']) publish({ op: 'reply', text });
    await until(() => a.seen.length === 3);
    // The shared read keeps two; the relay still has all three: a new page gets them from the relay.
    const late = collect(shared);
    await until(() => late.seen.length === 3);
    expect(texts(late.seen)).toEqual(['one', 'two', 'three']);
    expect(relay.follows).toBe(2);
    publish({ op: 'final', text: 'done' });
    await Promise.all([a.f.done, late.f.done]);
    expect(texts(late.seen)).toEqual(['one', 'two', 'three', 'done']);
  });

  it('keeps reading for the pages left when one goes, stops when the last goes, and reads again for a new one', async () => {
    const memory = new MemoryRelay('w');
    const relay = new CountingRelay(memory);
    const shared = new SharedFollows(relay);
    const a = collect(shared);
    const b = collect(shared);
    a.f.stop();
    await a.f.done;
    memory.publish(ref, { op: 'edit', id: 's', text: 'one' });
    await until(() => b.seen.length === 1);
    expect(a.seen).toEqual([]);
    b.f.stop();
    await b.f.done;
    await until(() => relay.open === 0);
    expect(shared.reading).toBe(0);
    const c = collect(shared);
    await until(() => c.seen.length === 1);
    expect(texts(c.seen)).toEqual(['one']);
    expect(relay.follows).toBe(2);
    c.f.stop();
  });

  it('hands a page that says what it has seen (a position) only the entries after it, kept and new alike', async () => {
    const memory = new MemoryRelay('w');
    const shared = new SharedFollows(new CountingRelay(memory));
    const positions: string[] = [];
    const a = shared.follow(ref, (_e, at) => {
      positions.push(at);
      return false;
    });
    memory.publish(ref, { op: 'edit', id: 's', text: 'one' });
    memory.publish(ref, { op: 'edit', id: 's', text: 'two' });
    await until(() => positions.length === 2);
    const seen: unknown[] = [];
    const b = shared.follow(
      ref,
      (e) => {
        seen.push(e.text);
        return e.op === 'final';
      },
      positions[0],
    );
    memory.publish(ref, { op: 'final', text: 'done' });
    await b.done;
    expect(seen).toEqual(['two', 'done']);
    a.stop();
  });
  it('keeps each page in order whether its handler answers at once or later, and one that answers later holds up no other', async () => {
    const memory = new MemoryRelay('w');
    const shared = new SharedFollows(new CountingRelay(memory));
    const quick: unknown[] = [];
    const slow: unknown[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = shared.follow(ref, (e) => {
      quick.push(e.text);
      return e.op === 'final';
    });
    const s = shared.follow(ref, async (e) => {
      // The first entry waits until released; the rest must still come after it, in order.
      if (slow.length === 0) await gate;
      slow.push(e.text);
      return e.op === 'final';
    });
    for (const text of ['one', 'two', 'three']) memory.publish(ref, { op: 'reply', text });
    memory.publish(ref, { op: 'final', text: 'done' });
    await q.done;
    expect(quick).toEqual(['one', 'two', 'three', 'done']);
    expect(slow).toEqual([]);
    release();
    await s.done;
    expect(slow).toEqual(['one', 'two', 'three', 'done']);
  });

  it('ends a page whose handler throws, and goes on for the others', async () => {
    const memory = new MemoryRelay('w');
    const shared = new SharedFollows(new CountingRelay(memory));
    const broken = shared.follow(ref, () => {
      throw new Error('page gone');
    });
    const other = collect(shared);
    memory.publish(ref, { op: 'reply', text: 'one' });
    await broken.done;
    memory.publish(ref, { op: 'final', text: 'done' });
    await other.f.done;
    expect(texts(other.seen)).toEqual(['one', 'done']);
  });
});
