import { commands } from '../../commands/index.js';
import { withDeclared } from '../../commands/declared/list.js';
import { withPlugins } from '../../commands/plugins/load.js';
import { discordCommandProblems } from '../adapters/discord/commands-check.js';
import { applicationCommands } from '../adapters/discord/commands-json.js';
import { registerDiscordCommands } from '../adapters/discord/register.js';
import { ConfigError, requireConfigFile } from '../config/load.js';
import type { CommandDef } from '../core/define-command.js';
import { Registry } from '../core/registry.js';
import { SNOWFLAKE } from '../words/names.js';

export interface RegisterRun {
  readonly platform: string;
  readonly guild?: string;
  readonly configFlag?: string;
  readonly out?: NodeJS.WritableStream;
  readonly err?: NodeJS.WritableStream;
  /** The command list (tests check a refusal); default the real one. */
  readonly commands?: readonly CommandDef[];
}

/** `opsline register discord [--guild ID]`: bulk-overwrites the application commands; returns the exit code. */
export async function runRegister(run: RegisterRun): Promise<number> {
  const out = run.out ?? process.stdout;
  const err = run.err ?? process.stderr;
  if (run.platform !== 'discord') {
    err.write(`opsline register: unknown platform "${run.platform}" (only discord registers commands; Slack uses opsline manifest slack)\n`);
    return 2;
  }
  const loaded = requireConfigFile(run.configFlag);
  const discord = loaded.config.discord;
  if (!discord) throw new ConfigError(loaded.source, ['discord: the section is required to register commands']);
  const guild = run.guild ?? discord.guildId;
  if (guild !== undefined && !SNOWFLAKE.test(guild)) {
    err.write(`opsline register: --guild must be a Discord id (digits), not "${guild}"\n`);
    return 2;
  }
  // Building the registry checks the command list (duplicates) before anything is sent.
  const defs = new Registry(withDeclared(await withPlugins(run.commands ?? commands, loaded), loaded.config, loaded.source)).all();
  const problems = discordCommandProblems(applicationCommands(defs));
  if (problems.length > 0) {
    err.write(`opsline register: Discord would refuse these commands:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const names = await registerDiscordCommands(discord, defs, guild);
  const scope = guild ? `guild ${guild}` : 'globally';
  out.write(`registered ${names.length} commands ${scope}: ${names.map((n) => `/${n}`).join(' ')}\n`);
  return 0;
}
