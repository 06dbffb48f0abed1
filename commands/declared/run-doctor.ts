import { pino } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { CheckFailure, rootCause, type Check } from '../../src/doctor/types.js';
import { createDeviceClient } from '../../src/services/devices/index.js';
import { connectRedis, describeRedis } from '../../src/redis/connect.js';

/**
 * `opsline doctor` for each `kind: run` command (docs/commands.md, "run: a command on an agent"): its
 * agent is under `agents:`, answers `hello` over CURVE, lists the `commands` capability (protocol 2)
 * and the command's `run` name among its `agent.commands`; a job command also needs its queue's Redis.
 */
export function runCommandChecks(config: Config): Check[] {
  return (config.commands ?? []).flatMap((c, i) => {
    if (c.kind !== 'run') return [];
    const agent = (config.agents ?? []).find((a) => a.name === c.agent);
    return [
      {
        name: `command /${c.name}`,
        target: agent?.endpoint ?? c.agent,
        async run() {
          if (!agent) throw new CheckFailure(`commands[${i}].agent: no agent named ${c.agent} under agents:`);
          // A job command runs on the deploy queue, in Redis (BullMQ): it needs Redis to answer.
          if (!c.quick && config.redis) await redisAnswers(config.redis).catch((err: unknown) => {
            throw new CheckFailure(`runs as a job on the deploy queue, and its Redis (${describeRedis(config.redis!)}) does not answer: ${rootCause(err)}`, { cause: err });
          });
          const client = createDeviceClient({ agents: [agent], clientKeys: config.clientKeys }, pino({ level: 'silent' }));
          if (!client) throw new CheckFailure('clientKeys are missing');
          try {
            const hello = await client.helloV2(agent.name);
            if (!hello.capabilities?.includes('commands')) throw new CheckFailure(`agent ${c.agent} does not support declared commands (it speaks protocol ${hello.v}): upgrade opsline on that host`);
            if (!hello.commands?.includes(c.run))
              throw new CheckFailure(`agent ${c.agent} has no agent.commands.${c.run} (it has ${hello.commands?.length ? hello.commands.join(', ') : 'none'}): add it to that host's config (commands[${i}].run)`);
            return `${c.agent} runs ${c.run}${c.quick ? ' (quick: answered in place)' : ' (as a job on the deploy queue, lane deploy.declared.run)'}`;
          } catch (err) {
            if (err instanceof CheckFailure) throw err;
            throw new CheckFailure(`agent ${c.agent} at ${agent.endpoint}: ${rootCause(err)} (opsline doctor's "agent ${c.agent}" line says more)`, { cause: err });
          } finally {
            await client.close();
          }
        },
      },
    ];
  });
}

async function redisAnswers(redis: NonNullable<Config['redis']>): Promise<void> {
  const r = connectRedis(redis, { role: 'doctor', profile: 'probe', lazy: true, once: true });
  let last: Error | undefined;
  r.on('error', (err: Error) => (last = err));
  try {
    await r.connect().catch((err: unknown) => {
      throw last ?? err;
    });
    await r.ping();
  } finally {
    r.disconnect();
  }
}
