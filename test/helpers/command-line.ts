import { randomUUID } from 'node:crypto';
import type { Invocation } from '../../src/core/define-command.js';
import type { Reply } from '../../src/core/reply.js';
import type { ThreadStarter } from '../../src/core/thread.js';
import type { Principal } from '../../src/core/principal.js';
import type { App } from '../../src/app/main.js';

/**
 * Splits a typed `/name text` line as the console adapter does (`splitLine` in src/adapters/console/adapter.ts),
 * except that an empty name is kept rather than answered with a hint: the fuzz tests send `/ x` on purpose, to reach
 * the dispatcher's own answer.
 */
export function splitCommandLine(line: string): { command: string; text: string } {
  const m = /^\/(\S*)\s*([\s\S]*)$/.exec(line.trim());
  if (!m) throw new Error(`not a command line: ${JSON.stringify(line)}`);
  return { command: m[1] ?? '', text: m[2] ?? '' };
}

/** The invocation a text platform makes of a typed line. */
export function lineInvocation(principal: Principal, line: string, room = 'C1'): Invocation {
  return { id: randomUUID(), platform: 'test', principal, room, ...splitCommandLine(line), receivedAt: new Date() };
}

const noThreads: ThreadStarter = { startThread: () => Promise.reject(new Error('no threads in these tests')) };

/** One line from `key` (named by its last part) through the app's real dispatcher, on a platform without threads. */
export function dispatchLine(app: App, key: string, line: string): Promise<Reply> {
  return app.dispatcher.dispatch(lineInvocation({ key, name: key.split(':').pop() ?? key }, line), noThreads);
}
