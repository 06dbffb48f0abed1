import { agentFixture, type AgentFixture } from './agent-fixture.js';
import { makeIso } from './iso.js';
import { redisPrefix } from './redis.js';
import { SlackDouble } from './slack-double.js';
import { countingXorriso } from './xorriso-counter.js';

export interface SlowBurn {
  readonly slack: SlackDouble;
  readonly f: AgentFixture;
  readonly endpoint: string;
  readonly redisPrefix: string;
  /** How many burns xorriso really ran. */
  burns(): Promise<number>;
}

/**
 * A burn long enough to stop a process in the middle of it: a 3 MiB release.iso on drive d1 (at 400k unless told),
 * an agent whose xorriso counts its runs, a Slack double and a fresh Redis prefix. `cleanups` gets
 * what to undo, in order.
 */
export async function slowBurnSetup(cleanups: (() => Promise<void>)[], speed = '400k'): Promise<SlowBurn> {
  const slack = await new SlackDouble().start();
  cleanups.push(() => slack.stop());
  const f = await agentFixture(['d1'], speed);
  cleanups.push(() => f.cleanup());
  await makeIso(f.imagesDir, 'release.iso', { bytes: 3 * 1024 * 1024 });
  const xorriso = await countingXorriso(f.root);
  const agent = await f.start({ xorriso: xorriso.path });
  const redis = redisPrefix();
  cleanups.push(() => redis.cleanup());
  return { slack, f, endpoint: agent.endpoint, redisPrefix: redis.prefix, burns: () => xorriso.burns() };
}
