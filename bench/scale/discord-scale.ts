import { pino } from 'pino';
import { createDiscordAdapter } from '../../src/adapters/discord/factory.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { HttpServer } from '../../src/http/server.js';
import { buildApp } from '../../src/app/main.js';
import { DiscordDouble } from '../../test/helpers/discord-double.js';
import { DISCORD_PUBLISHED } from '../../test/helpers/discord-limits.js';
import { IDS } from '../../test/helpers/discord-payloads.js';
import { startFleet, type Target } from './fleet.js';
import type { BurnTrace } from './measure.js';
import { runScenario, type PlatformResult, type ScaleOptions } from './scenario.js';

const USER = '80351110224678912';

/**
 * The same burns reported into one Discord guild through the Discord double at Discord's per-route
 * and global limits: the bot side (gateway adapter: interaction reply as root, then a thread) in this
 * process, progress from one `opsline worker` child with the bot token.
 */
export async function discordScale(o: ScaleOptions): Promise<PlatformResult> {
  const double = await new DiscordDouble().start();
  double.enforceLimits(DISCORD_PUBLISHED);
  const channels = [IDS.channel, ...Array.from({ length: o.channels - 1 }, () => double.nextId())];
  double.guilds[0]!.channels.splice(0, Infinity, ...channels);
  const platform = {
    discord: { mode: 'gateway', token: double.botToken, applicationId: IDS.application, apiUrl: double.apiUrl },
    access: { users: [{ key: `discord:${USER}`, name: 'olga', roles: ['operator'] }] },
  };
  const fleet = await startFleet({ ...o, platform }).catch(async (err: unknown) => {
    await double.stop();
    throw err;
  });
  const log = pino({ level: 'silent' });
  const config = buildConfig({ ...(fleet.raw as ConfigInput), log: { level: 'silent' } });
  const app = await buildApp(config, { log });
  const http = new HttpServer(log);
  const adapter = await createDiscordAdapter({ app, http, log });
  try {
    if (!adapter) throw new Error('no discord adapter was built');
    await adapter.start((inv, threads) => app.dispatcher.dispatch(inv, threads));
    await double.gateway.whenReady();
    const result = await runScenario({
      app,
      fleet,
      options: o,
      dispatch: async (t, i) => {
        const options = [{ name: 'start', type: 1, options: [{ name: 'image', type: 3, value: t.image }, { name: 'drive', type: 3, value: `${t.agent}/${t.drive}` }] }];
        const p = double.sendInteraction({ command: 'burn', options, userId: USER, userName: 'olga', channelId: channels[i % channels.length] });
        // The reply follows the thread's root through the interaction webhook.
        const followUp = await double.waitFor(() => double.calls.find((c) => c.method === 'POST' && c.route.startsWith(`/webhooks/${IDS.application}/${p.token}`) && c.status === 200), o.timeoutMs);
        return String(followUp.body?.content ?? '').replace(/\\/g, '');
      },
      traces: (targets) => targets.map((t) => discordTrace(double, t)),
      mention: `<@${USER}>`,
      calls: () => ({ total: double.calls.length, limited: double.calls.filter((c) => c.status === 429).length }),
    });
    return { ...result, editIntervalMs: config.discord!.editIntervalMs };
  } finally {
    await adapter?.stop().catch(() => undefined);
    await app.stop().catch(() => undefined);
    await fleet.cleanup();
    await double.stop();
  }
}

/** One burn's thread in the Discord double: the thread started from the root that names the image and drive. */
function discordTrace(double: DiscordDouble, t: Target): BurnTrace {
  const root = [...double.messages.values()].find((m) => m.content.replace(/\\/g, '').startsWith(`burning ${t.image} on ${t.drive} for `));
  const thread = double.threads.find((x) => root !== undefined && x.messageId === root.id)?.id;
  const landed = thread === undefined ? [] : double.messagesIn(thread);
  // The first message in the thread is the live status (LiveThread.open); the others are milestones and the final line.
  const status = landed[0];
  const edits = double.calls.filter((c) => c.method === 'PATCH' && c.status === 200 && status !== undefined && c.route === `/channels/${thread}/messages/${status.id}`);
  return {
    target: t,
    posts: landed.map((m) => m.history[0] ?? ''),
    edits: edits.map((c) => ({ at: c.at, text: String(c.body?.content ?? '') })),
  };
}
