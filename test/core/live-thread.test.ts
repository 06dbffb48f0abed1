import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveThread } from '../../src/core/live-thread.js';
import type { ThreadRef, ThreadTransport } from '../../src/core/thread.js';
import type { Principal } from '../../src/core/principal.js';
import { RecordingTransport } from '../helpers/test-adapter.js';
import { until } from '../helpers/until.js';

const alice: Principal = { key: 'console:alice', name: 'alice' };

async function open(t: ThreadTransport & { starter(p: Principal): { startThread(s: string): Promise<ThreadRef> } }) {
  return LiveThread.open(t.starter(alice), t, 'burning x.iso on dvd1 for @alice', 'queued');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LiveThread', () => {
  it('posts a root and a status message whose id goes into the serialisable ref', async () => {
    const t = new RecordingTransport(50);
    const th = await open(t);
    expect(t.messages).toEqual([
      { kind: 'root', id: 'm1', text: 'burning x.iso on dvd1 for @alice' },
      { kind: 'reply', id: 'm2', text: 'queued' },
    ]);
    expect(JSON.parse(JSON.stringify(th.ref))).toEqual({ platform: 'test', channel: 'room', rootId: 'm1', statusId: 'm2', requester: alice });
  });

  it('coalesces status edits to at most one per interval, sending only the newest text', async () => {
    // Time is what this is about: the interval runs on a fake clock that only the test moves.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const t = new RecordingTransport(80);
    const th = await open(t);
    const edits = () => t.messages.filter((m) => m.kind === 'edit');
    for (let i = 1; i <= 20; i++) th.status(`${i * 5}%`);
    await vi.advanceTimersByTimeAsync(79);
    expect(edits()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(edits().map((e) => e.text)).toEqual(['100%']);
    th.status('done 100%');
    await vi.advanceTimersByTimeAsync(79);
    expect(edits().map((e) => e.text)).toEqual(['100%']);
    // flush() sends the newest text now, without waiting out the interval.
    await th.flush();
    expect(edits().map((e) => e.text)).toEqual(['100%', 'done 100%']);
    expect(edits().every((e) => e.id === 'm2')).toBe(true);
  });

  it('finishes with the final status and a mention, in that order', async () => {
    const t = new RecordingTransport(10_000);
    const th = await open(t);
    th.status('50%');
    await th.milestone('verifying');
    await th.finish('100% ✔', 'burn finished');
    expect(t.messages.slice(2)).toEqual([
      { kind: 'reply', id: 'm3', text: 'verifying' },
      { kind: 'edit', id: 'm2', text: '100% ✔' },
      { kind: 'reply', id: 'm4', text: '@alice burn finished' },
    ]);
  });

  it('reopens from a stored ref in another "process" and edits the same status message', async () => {
    const t = new RecordingTransport(0);
    const ref = JSON.parse(JSON.stringify((await open(t)).ref)) as ThreadRef;
    const again = LiveThread.reopen(t, ref);
    await again.finish('cancelled', 'cancelled by bob');
    expect(t.messages.slice(2)).toEqual([
      { kind: 'edit', id: 'm2', text: 'cancelled' },
      { kind: 'reply', id: 'm3', text: '@alice cancelled by bob' },
    ]);
  });

  it('keeps the newest text when an edit fails and still lands the final state', async () => {
    const t = new RecordingTransport(0);
    const th = await open(t);
    let failures = 2;
    const edit = t.edit.bind(t);
    t.edit = async (ref, id, text) => {
      if (failures-- > 0) throw new Error('429 rate limited');
      return edit(ref, id, text);
    };
    await th.finish('final', 'done');
    expect(t.messages.filter((m) => m.kind === 'edit').map((m) => m.text)).toEqual(['final']);
    expect(t.messages.at(-1)?.text).toBe('@alice done');
  });

  it('waits for its edit turn first, then sends the newest text (a status never goes out stale)', async () => {
    const turns: (() => void)[] = [];
    const t = Object.assign(new RecordingTransport(0), {
      // The workspace's budget: each edit turn is granted by the test, as a busy budget would grant it later.
      editTurn: () => new Promise<void>((r) => turns.push(r)),
    });
    const th = await open(t);
    th.status('10%');
    await until(() => turns.length === 1);
    th.status('20%');
    th.status('30%');
    turns.shift()!();
    await until(() => t.messages.some((m) => m.kind === 'edit'));
    const finishing = th.finish('100% ✔', 'done');
    await until(() => turns.length === 1);
    turns.shift()!();
    await finishing;
    expect(t.messages.slice(2)).toEqual([
      { kind: 'edit', id: 'm2', text: '30%' },
      { kind: 'edit', id: 'm2', text: '100% ✔' },
      { kind: 'reply', id: 'm3', text: '@alice done' },
    ]);
  });
});
