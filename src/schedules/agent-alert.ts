import type { AlertEntry } from '../config/schedules.js';
import { UserError } from '../core/errors.js';
import { reply } from '../core/reply.js';
import type { AgentState } from '../services/devices/types.js';
import type { Outbox, ScheduleStore } from './types.js';

/** What an agent alert reads: each agent's state as this process's device client sees it (heartbeats). */
export interface AgentStates {
  state(agent: string): AgentState;
}

/**
 * One check of an agent alert (`alerts[].agents`, docs/schedules.md): each listed agent that went down
 * since the last check is posted, and each that came back. `connecting` (this process has not heard from
 * it yet, just after a start) changes nothing. Each agent's state is kept in the schedule store under
 * `<alert>:<agent>`, swapped atomically, so only one check in one process sees a transition and posts it;
 * a post that fails puts the old state back, so the next check posts it again.
 */
export async function checkAgentAlert(a: AlertEntry, agents: readonly string[], devices: AgentStates | undefined, store: ScheduleStore, outbox: Outbox): Promise<string> {
  if (!devices) throw new UserError('not_configured', 'this process has no device client (agents) to watch');
  const seen: string[] = [];
  const posted: string[] = [];
  for (const agent of agents) {
    const state = devices.state(agent);
    seen.push(`${agent} ${state}`);
    if (state === 'connecting') continue;
    const down = state !== 'up';
    const key = `${a.name}:${agent}`;
    const before = await store.swapAlert(key, down);
    // As for status alerts: the first check ever posts only a problem; after that, only changes post.
    if (before === down || (before === undefined && !down)) continue;
    const why = state === 'refused' ? "refuses this bot's key (clientKeys.public is not in its allowedClients)" : 'down: no heartbeat';
    const text = down ? `🔴 alert ${a.name}: agent ${agent} is ${why}` : `🟢 alert ${a.name} cleared: agent ${agent} is back`;
    try {
      await outbox.deliver(a.post, { reply: reply(text, { visibility: 'channel' }), mentions: a.mention });
    } catch (err) {
      await store.swapAlert(key, before ?? false).catch(() => undefined);
      throw err;
    }
    posted.push(`${agent} ${down ? 'down' : 'back'}`);
  }
  return posted.length ? `posted: ${posted.join(', ')}` : `no change: ${seen.join(', ')}`;
}
