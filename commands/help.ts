import { defineCommand, type CommandContext } from '../src/core/define-command.js';
import { UserError } from '../src/core/errors.js';
import { reply } from '../src/core/reply.js';
import type { Target } from '../src/core/registry.js';

export default defineCommand({
  name: 'help',
  description: 'What you may run here, with usage and examples',
  examples: ['/help', '/help note'],
  args: [{ name: 'command', type: 'string', description: 'a command name', maxLength: 40 }],
  roles: ['viewer'],
  sideEffects: false,
  handler(ctx) {
    const allowed = allowedTargets(ctx);
    const name = ctx.args.command;
    if (typeof name === 'string') {
      const wanted = name.replace(/^\//, '').toLowerCase();
      const mine = allowed.filter((t) => t.command.name === wanted);
      if (!ctx.registry.get(wanted)) throw new UserError('not_found', `unknown command /${wanted}; try /help`);
      if (mine.length === 0) throw new UserError('denied', `you may not run /${wanted}`);
      const c = mine[0]!.command;
      const lines = [`/${c.name}: ${c.description}`, ...mine.map((t) => `  ${t.usage}${t.sub ? `  (${c.subcommands?.[t.sub]?.description})` : ''}`)];
      if (c.examples.length) lines.push('examples:', ...c.examples.map((e) => `  ${e}`));
      return reply(lines.join('\n'));
    }
    const byCommand = new Map<string, Target[]>();
    for (const t of allowed) byCommand.set(t.command.name, [...(byCommand.get(t.command.name) ?? []), t]);
    const lines = ['You may run:'];
    for (const ts of byCommand.values()) {
      const c = ts[0]!.command;
      lines.push(`  ${ts.map((t) => t.usage).join(' · ')}  — ${c.description}`);
    }
    lines.push('/help <command> shows examples.');
    return reply(lines.join('\n'));
  },
});

function allowedTargets(ctx: CommandContext): Target<never>[] {
  const { principal, room } = ctx.invocation;
  const may = ctx.access.decider(principal);
  return ctx.registry.targets().filter((t) => may(t.path, t.roles, room).allow);
}
