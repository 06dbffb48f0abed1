import { afterEach, describe, expect, it } from 'vitest';
import { webBot, type WebBot } from '../../helpers/web-bot.js';

// A declared run command's job page and live stream follow the command's own roles, as /deploy watch
// does (docs/commands.md): a viewer who may not run /restart does not see its output.
const OPS = 'console:olga';
const OTHER_OPS = 'console:otto';
const VIEWER = 'console:vera';
let bot: WebBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

describe('a declared run job on the web', () => {
  it('is shown to whoever may run its command or started it, and refused to others, page and stream alike', async () => {
    bot = await webBot({
      access: { users: [{ key: OPS, roles: ['operator'] }, { key: OTHER_OPS, roles: ['operator'] }, { key: VIEWER, roles: ['viewer'] }] },
      deploy: { targets: [{ name: 'unused', kind: 'webhook', url: 'http://127.0.0.1:9/never' }] },
      commands: [{ name: 'restart', description: 'Restart a service', kind: 'run', agent: 'a1', run: 'restart', args: [{ name: 'service', pattern: '^[a-z]{1,20}$' }], roles: ['operator'] }],
    });
    const id = /job (r[a-z0-9]{6})/.exec((await bot.say(OPS, '/restart web')).text)?.[1];
    expect(id).toBeDefined();
    for (const [key, status] of [[OPS, 200], [OTHER_OPS, 200], [VIEWER, 403]] as const) {
      const cookie = await bot.signIn(key);
      expect((await bot.page(`/web/jobs/${id}`, cookie)).status, key).toBe(status);
      const events = await fetch(`${bot.base}/web/jobs/${id}/events`, { headers: { cookie } });
      if (status === 403) expect(events.status, key).toBe(403);
      else await events.body?.cancel();
    }
  });
});
