import { afterAll, beforeAll } from 'vitest';
import { HookServer } from './hook-server.js';

export interface HookedBot<B> {
  /** The CI double the bot's webhook targets call. */
  readonly hooks: HookServer;
  readonly bot: B;
}

/**
 * A bot and a CI double for a whole file: made before its tests (beforeAll), `start` pointing the deploy targets at
 * the double, and both stopped after them. Read `hooks` and `bot` inside tests, once they exist.
 */
export function hookedBot<B extends { stop(): Promise<unknown> }>(start: (hooks: HookServer) => Promise<B>): HookedBot<B> {
  let hooks: HookServer | undefined;
  let bot: B | undefined;
  beforeAll(async () => {
    hooks = await new HookServer().start();
    bot = await start(hooks);
  });
  afterAll(async () => {
    await bot?.stop();
    await hooks?.stop();
  });
  return {
    get hooks() {
      return hooks!;
    },
    get bot() {
      return bot!;
    },
  };
}
