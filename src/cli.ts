#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ConfigError } from './config/load.js';
import { printable } from './core/printable.js';
import { trapSignals } from './cli/signals.js';
import { jsonSafe, scrub } from './log.js';
import { version } from './version.js';

// Each subcommand's module is imported inside its action, not up here: `opsline start` needs Slack,
// Discord, BullMQ and MySQL, but `opsline agent` runs on each device host (docs/agent.md) and
// `--version` or `keys` need none of them. ConfigError stays a static import; a dynamic import of
// config/load.js yields the same module instance (ESM caches by URL), so `instanceof` below still holds.

// A promise nobody awaited must not take down a bot that serves a whole workspace: say so and go on.
process.on('unhandledRejection', (err) => {
  const e = err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
  process.stderr.write(`${scrub(jsonSafe(JSON.stringify({ level: 50, time: Date.now(), msg: 'unhandled rejection (bug); still running', err: e })))}\n`);
});

const program = new Command('opsline')
  .description('Chat-ops bot for Slack, Discord and the console')
  .version(version(), '-V, --version', 'print the version')
  .addOption(new Option('-c, --config <file>', 'config file (default: $OPSLINE_CONFIG or ./opsline.yaml)'))
  // `opsline console --help` lists --config too: it goes before or after the subcommand alike.
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError();

program
  .command('console')
  .description('the console adapter in this terminal (reads commands from stdin)')
  .option('--demo', 'embedded defaults: in-memory stores, sample data, you are admin')
  .addOption(new Option('--log-level <level>', 'log level (default: log.level; on a terminal without one in the file, warn)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .action(async (opts: { demo?: boolean; logLevel?: string }) => {
    const { runConsole } = await import('./cli/console.js');
    process.exitCode = await runConsole({ demo: opts.demo === true, configFlag: program.opts<{ config?: string }>().config, logLevel: opts.logLevel });
    // Input has ended and the app has stopped: nothing may keep the console alive now (a stray handle
    // in a library would otherwise hang it); the timer does not itself keep the process up.
    setTimeout(() => process.exit(), 2000).unref();
  });

program
  .command('start')
  .description('run the bot: the configured adapters, the HTTP server (/healthz, /readyz) and the job workers')
  .option('--no-workers', 'do not run job workers in this process (run `opsline worker` elsewhere)')
  .action(async (opts: { workers: boolean }) => {
    // Before the import: loading the module takes a while, and a SIGHUP's default action ends the process.
    const trap = trapSignals();
    const { runStart } = await import('./cli/start.js');
    process.exitCode = await runStart(program.opts<{ config?: string }>().config, { workers: opts.workers }, trap);
  });

program
  .command('worker')
  .description('run job workers only: burns on every drive the agents report, with progress in chat')
  .action(async () => {
    const trap = trapSignals();
    const { runWorker } = await import('./cli/worker.js');
    process.exitCode = await runWorker(program.opts<{ config?: string }>().config, trap);
  });

program
  .command('register')
  .description('register the slash commands with Discord (bulk overwrite)')
  .argument('<platform>', 'discord')
  .option('--guild <id>', 'register to one guild (updates at once) instead of globally; default discord.guildId')
  .action(async (platform: string, opts: { guild?: string }) => {
    const { runRegister } = await import('./cli/register.js');
    process.exitCode = await runRegister({ platform, guild: opts.guild, configFlag: program.opts<{ config?: string }>().config });
  });

program
  .command('manifest')
  .description('print the Slack app manifest generated from the command definitions')
  .argument('<platform>', 'slack')
  .option('--url <base>', 'public https base URL of `opsline start` (http mode); /slack/events is appended')
  .option('--mode <mode>', 'http or socket (default: slack.mode from the config, else http)')
  .option('--prefix <prefix>', 'command prefix (default: slack.commandPrefix from the config)')
  .option('--name <name>', 'app and bot display name', 'opsline')
  .option('--umbrella <name>', 'the command that reaches every other one (default: slack.umbrellaCommand, else opsline)')
  .option('--format <format>', 'json or yaml', 'json')
  .action(async (platform: string, opts: { url?: string; mode?: string; prefix?: string; name: string; umbrella?: string; format: string }) => {
    const { runManifest } = await import('./cli/manifest.js');
    const configFlag = program.opts<{ config?: string }>().config;
    process.exitCode = await runManifest({ platform, configFlag, ...opts, out: process.stdout, err: process.stderr });
  });

program
  .command('agent')
  .description("run the device agent on this host (the config's agent section)")
  .action(async () => {
    const trap = trapSignals();
    const { runAgent } = await import('./cli/agent.js');
    process.exitCode = await runAgent(program.opts<{ config?: string }>().config, trap);
  });

program
  .command('keys')
  .description('generate a CURVE key pair: <dir>/<name>.key (mode 0600) and <dir>/<name>.pub')
  .argument('<name>', 'a name for the pair, e.g. agent-burner1 or bot')
  .option('--dir <dir>', 'where to write the files', '.')
  .option('--force', 'replace existing files')
  .option('--group <group>', 'let this group read the .key (mode 0640): the service user\'s, e.g. opsline')
  .action(async (name: string, opts: { dir: string; force?: boolean; group?: string }) => {
    const { runKeys } = await import('./cli/keys.js');
    process.exitCode = await runKeys({ name, dir: opts.dir, force: opts.force === true, ...(opts.group === undefined ? {} : { group: opts.group }) });
  });

program
  .command('migrate')
  .description("create or upgrade the bot's own MySQL tables (uses mysql.migrateUrl when set)")
  .action(async () => {
    const { runMigrate } = await import('./cli/migrate.js');
    process.exitCode = await runMigrate(program.opts<{ config?: string }>().config);
  });

program
  .command('vault')
  .description('Vault operations for the MySQL credentials')
  .command('revoke')
  .description("revoke every MySQL lease issued for mysql.vault.role (incident response); prints how many")
  .action(async () => {
    const { runVaultRevoke } = await import('./cli/vault.js');
    process.exitCode = await runVaultRevoke(program.opts<{ config?: string }>().config);
  });

program
  .command('doctor')
  .description('validate the config and check every dependency it names, one line each')
  .action(async () => {
    const { runDoctor } = await import('./cli/doctor.js');
    process.exitCode = await runDoctor(program.opts<{ config?: string }>().config);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // A message may quote a config value or a server's answer: no control character reaches the terminal raw.
  if (err instanceof ConfigError) {
    process.stderr.write(`${printable(err.message)}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`opsline: ${printable((err as Error).message)}\n`);
    process.exitCode = 1;
  }
}
