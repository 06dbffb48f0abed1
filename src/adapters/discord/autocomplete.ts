import { InteractionResponseType } from 'discord-api-types/v10';
import type { ArgSpec } from '../../core/define-command.js';
import { rank } from './completions.js';
import type { Incoming, InteractionEnv } from './env.js';
import { placeRefusal } from './handle-command.js';
import { readOptions } from './options.js';
import type { Responder } from './session.js';

/**
 * Autocomplete has the same 3 s deadline and no deferral, so whatever is not ready this long after
 * the interaction arrived (the access check's Redis read included, not only the source) yields no
 * suggestions.
 */
const COMPLETE_WITHIN_MS = 2000;

/**
 * Suggests values for the option being typed, from the source its ArgSpec names. Only callers on
 * the allowlist, in an allowed server and channel, get suggestions: names are not for strangers.
 */
export async function handleAutocomplete(inc: Incoming, responder: Responder, env: InteractionEnv): Promise<void> {
  let names: string[] = [];
  try {
    names = await withDeadline(suggestions(inc, env), COMPLETE_WITHIN_MS - (Date.now() - inc.receivedAt.getTime()));
  } catch (err) {
    env.log.warn({ err, command: inc.command }, 'autocomplete source failed');
  }
  await responder.callback({
    type: InteractionResponseType.ApplicationCommandAutocompleteResult,
    data: { choices: names.map((n) => ({ name: n, value: n })) },
  });
}

async function suggestions(inc: Incoming, env: InteractionEnv): Promise<string[]> {
  // Anyone holding a role from any source (the allowlist, a mapped guild role, a grant) gets suggestions.
  const principal = { key: `discord:${inc.userId}`, name: inc.userName, guild: inc.guildId, memberRoles: inc.memberRoles };
  await env.access.prepare(principal);
  if (env.access.held(principal).length === 0 || placeRefusal(inc, env)) return [];
  const { subcommand, focused } = readOptions(inc.options);
  if (!focused) return [];
  const spec = specFor(env, inc.command, subcommand, focused.name);
  if (!spec) return [];
  const source = spec.autocomplete && Object.hasOwn(env.completers, spec.autocomplete) ? env.completers[spec.autocomplete] : undefined;
  const candidates = source ? await source(focused.value) : (spec.choices ?? []);
  return rank(candidates, focused.value);
}

function specFor(env: InteractionEnv, command: string, sub: string | undefined, option: string): ArgSpec | undefined {
  const def = env.registry.get(command);
  const subs = def?.subcommands;
  const args = sub === undefined ? def?.args : subs && Object.hasOwn(subs, sub) ? subs[sub]?.args : undefined;
  return args?.find((a) => a.name === option);
}

function withDeadline(p: Promise<string[]>, ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), Math.max(0, ms));
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
