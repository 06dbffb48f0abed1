import { pino } from 'pino';
import { createSlackTransport } from '../../src/adapters/slack/client.js';
import { buildConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { buildApp } from '../../src/app/main.js';
import { SlackDouble } from '../../test/helpers/slack-double.js';
import { SLACK_PUBLISHED } from '../../test/helpers/slack-limits.js';
import { startFleet } from './fleet.js';
import type { BurnTrace } from './measure.js';
import { runScenario, type PlatformResult, type ScaleOptions } from './scenario.js';

const OPERATOR = { key: 'slack:T1:UOP', name: 'olga' };

/**
 * 20 burns reported into one Slack workspace through the Slack double at Slack's published limits:
 * the bot side (roots and first statuses) in this process, progress from one `opsline worker` child.
 */
export async function slackScale(o: ScaleOptions): Promise<PlatformResult> {
  const slack = await new SlackDouble({ limits: SLACK_PUBLISHED }).start();
  const platform = {
    slack: { signingSecret: 'scale-secret-0123456789', botToken: 'xoxb-scale', apiUrl: slack.apiUrl },
    access: { users: [{ key: OPERATOR.key, roles: ['operator'] }] },
  };
  const fleet = await startFleet({ ...o, platform }).catch(async (err: unknown) => {
    await slack.stop();
    throw err;
  });
  const log = pino({ level: 'silent' });
  const config = buildConfig({ ...(fleet.raw as ConfigInput), log: { level: 'silent' } });
  const app = await buildApp(config, { log });
  // One budget with the worker child (same Redis prefix), as `opsline start` and `opsline worker` share it.
  const transport = createSlackTransport(config.slack!, log, [], app.budget);
  app.transports.add(transport);
  const channels = Array.from({ length: o.channels }, (_, i) => `C${i + 1}`);
  let n = 0;
  try {
    const result = await runScenario({
      app,
      fleet,
      options: o,
      dispatch: (t, i) =>
        app.dispatcher
          .dispatch(
            { id: `scale-${++n}`, platform: 'slack', principal: OPERATOR, room: channels[i % channels.length]!, command: 'burn', text: `${t.image} ${t.agent}/${t.drive}`, receivedAt: new Date() },
            transport.starter(OPERATOR, channels[i % channels.length]!),
          )
          .then((r) => r.text),
      traces: (targets) => targets.map((t) => slackTrace(slack, t)),
      mention: '<@UOP>',
      calls: () => ({ total: slack.calls.length, limited: slack.calls.filter((c) => c.status === 429).length }),
    });
    return { ...result, editIntervalMs: config.slack!.editIntervalMs };
  } finally {
    await app.stop().catch(() => undefined);
    await fleet.cleanup();
    await slack.stop();
  }
}

/** One burn's thread in the Slack double's record: found by its root text, which names the image and drive. */
function slackTrace(slack: SlackDouble, t: BurnTrace['target']): BurnTrace {
  const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
  const root = posts.find((c) => c.status === 200 && !c.body.thread_ts && String(c.body.text).startsWith(`burning ${t.image} on ${t.drive} for `));
  const ts = root?.response?.ts;
  const inThread = posts.filter((c) => ts !== undefined && c.body.thread_ts === ts);
  const landed = inThread.filter((c) => c.status === 200);
  // The first reply is the live status message (LiveThread.open); later ones are milestones and the final line.
  const statusTs = landed[0]?.response?.ts;
  const edits = slack.calls.filter((c) => c.method === 'chat.update' && c.status === 200 && statusTs !== undefined && c.body.ts === statusTs);
  return {
    target: t,
    posts: landed.map((c) => String(c.body.text)),
    edits: edits.map((c) => ({ at: c.at, text: String(c.body.text) })),
  };
}
