#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError } from './config/load.js';
import { runConsole } from './cli/console.js';
import { runRegister } from './cli/register.js';
import { runStart } from './cli/start.js';

const program = new Command('opsline')
  .description('Chat-ops bot for Slack, Discord and the console')
  .addOption(new Option('-c, --config <file>', 'config file (default: $OPSLINE_CONFIG or ./opsline.yaml)'))
  .showHelpAfterError();

/** A subcommand that a later piece of work builds: says so and exits 2 instead of pretending. */
function notBuilt(name: string, what: string): void {
  process.stderr.write(`opsline ${name}: not built yet in this version (${what})\n`);
  process.exitCode = 2;
}

program
  .command('console')
  .description('the console adapter in this terminal (reads commands from stdin)')
  .option('--demo', 'embedded defaults: in-memory stores, sample data, you are admin')
  .action(async (opts: { demo?: boolean }) => {
    process.exitCode = await runConsole({ demo: opts.demo === true, configFlag: program.opts<{ config?: string }>().config });
  });

program
  .command('start')
  .description('run the bot: the configured adapters and the HTTP server (/healthz, /readyz)')
  .action(async () => {
    process.exitCode = await runStart(program.opts<{ config?: string }>().config);
  });

program
  .command('register')
  .description('register the slash commands with Discord (bulk overwrite)')
  .argument('<platform>', 'discord')
  .option('--guild <id>', 'register to one guild (updates at once) instead of globally; default discord.guildId')
  .action(async (platform: string, opts: { guild?: string }) => {
    process.exitCode = await runRegister({ platform, guild: opts.guild, configFlag: program.opts<{ config?: string }>().config });
  });

const later: [string, string, string][] = [
  ['worker', 'run job workers only', 'the /burn issue'],
  ['agent', 'run the device agent on this host', 'the device agent issue'],
  ['keys', 'generate CURVE key pairs', 'the device agent issue'],
  ['migrate', "create or upgrade the bot's tables", 'the MySQL data layer issue'],
  ['manifest', 'print the Slack app manifest', 'the Slack adapter issue'],
  ['doctor', 'check the config and every dependency it names', 'the operations work'],
  ['vault', 'Vault operations (revoke)', 'the Vault issue'],
];
for (const [name, description, issue] of later) {
  program
    .command(name)
    .description(`${description} (not built yet)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => notBuilt(name, `comes with ${issue}`));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`opsline: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
