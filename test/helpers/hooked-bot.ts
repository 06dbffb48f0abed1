import { afterAll, beforeAll } from 'vitest';
import { HookServer } from './hook-server.js';
import { TestAdapter, type TestAdapterOptions } from './test-adapter.js';

export interface HookedBot {
  /** The CI double the bot's webhook targets call. */
  readonly hooks: HookServer;
  readonly bot: TestAdapter;
}

/**
 * A test bot and a CI double for a whole file: made before its tests (beforeAll), `options` pointing the deploy
 * targets at the double, and both stopped after them. Read `hooks` and `bot` inside tests, once they exist.
 */
export function hookedBot(options: (hooks: HookServer) => TestAdapterOptions): HookedBot {
  let hooks: HookServer | undefined;
  let bot: TestAdapter | undefined;
  beforeAll(async () => {
    hooks = await new HookServer().start();
    bot = await TestAdapter.create(options(hooks));
  });
  afterAll(async () => {
    await bot?.app.stop();
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
