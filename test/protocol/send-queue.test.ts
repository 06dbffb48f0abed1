import { describe, expect, it } from 'vitest';
import { SendQueue } from '../../src/protocol/send-queue.js';

describe('SendQueue', () => {
  it('sends in order, and drops a frame whose sender gave up while it waited', async () => {
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const q = new SendQueue<string>(async (f) => {
      sent.push(f);
      if (f === 'slow') await new Promise<void>((r) => (release = r));
    });
    let wanted = true;
    const slow = q.send('slow');
    const burn = q.send('burn', () => wanted);
    const heartbeat = q.send('heartbeat');
    // The burn request timed out while the slow send held the socket.
    wanted = false;
    release();
    await Promise.all([slow, burn, heartbeat]);
    expect(sent).toEqual(['slow', 'heartbeat']);
  });
});
