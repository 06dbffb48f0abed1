import { ConsoleAdapter } from '../adapters/console/adapter.js';
import { ConsolePoster } from '../adapters/console/poster.js';
import { Screen } from '../adapters/console/screen.js';
import { ConsoleTransport } from '../adapters/console/transport.js';
import { buildConfig, ConfigError, loadConfigFile, type Loaded } from '../config/load.js';
import { demoConfig, osUser } from '../config/demo.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log.js';
import { prettyDestination, terminalLevel } from '../log-pretty.js';
import { buildApp, type App } from '../app/main.js';
import { commands } from '../../commands/index.js';
import { loadPlugins } from '../../commands/plugins/load.js';
import { applyOwnThread } from '../relay/apply.js';
import { version } from '../version.js';
import { slackGroupMembers } from '../adapters/slack/usergroups.js';
import { discordMemberRoles } from '../adapters/discord/members.js';
import { demoWebPort, startDemoWeb } from './demo-web.js';

/** How long the console waits for its connections to close once input has ended and its jobs are done. */
const STOP_TIMEOUT_MS = 10_000;

export interface ConsoleRun {
  readonly demo: boolean;
  readonly configFlag?: string;
  /** `--log-level`: wins over the config's `log.level`. */
  readonly logLevel?: string;
}

/** `opsline console [--demo]`: returns the exit code once input has ended and its jobs are done or left. */
export async function runConsole(run: ConsoleRun): Promise<number> {
  const loaded = run.demo ? undefined : loadConfigFile(run.configFlag);
  if (!run.demo && !loaded)
    throw new ConfigError('opsline.yaml', ['no config found: pass --config, set OPSLINE_CONFIG, create ./opsline.yaml, or run with --demo']);
  const config = loaded?.config ?? buildConfig(demoConfig(osUser(), await demoWebPort()));
  const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  const screen = new Screen(process.stdout, tty, { columns: () => process.stdout.columns || 80, err: process.stderr });
  const log = consoleLogger(config, loaded, run.logLevel, screen);
  const plugins = loaded ? await loadPlugins(config, loaded.source, commands, log) : [];
  const app = await buildApp(config, {
    slackGroupMembers,
    plugins,
    discordMemberRoles,
    log,
    demo: run.demo,
    demoAgent: run.demo,
    secretValues: loaded?.secrets,
    ...(loaded ? { env: loaded.env } : {}),
    notice: (text) => screen.printLog(`opsline: ${text}`),
  });
  const user = config.console?.user ?? osUser();
  // Threads started here are followed through the relay, so a job run by a worker elsewhere shows here.
  const transport: ConsoleTransport = new ConsoleTransport(screen, {
    channel: `console:${app.relay.origin}`,
    onThread: (ref) => void applyOwnThread(app.relay, ref, transport),
  });
  app.transports.add(transport);
  // Only the demo works its own in-process queue. With a real config the queues are shared: a
  // console worker would take Slack and Discord jobs and stop them at end of input.
  if (run.demo) await app.startWorkers();
  // The console shows only console posts; Slack and Discord ones are left to `opsline start` or `worker`.
  // Whichever console takes a tick, every open one shows the post (through the relay).
  const poster = new ConsolePoster(screen, app.relay);
  await poster.listen();
  await app.startSchedules([poster]);
  const adapter = new ConsoleAdapter({ input: process.stdin, output: process.stdout, screen, transport, principal: { key: `console:${user}`, name: user } });
  if (tty) screen.print(`opsline ${version()} · /help lists the commands · Ctrl-D quits`);
  // The demo's web view, with a sign-in link for its admin (docs/web.md, "In the demo").
  // On a terminal only: in a pipe stdout carries the conversation alone (`/web` gives a link there).
  const web = run.demo ? await startDemoWeb(app, app.log, { key: `console:${user}`, name: user }) : undefined;
  if (web && tty) screen.print(web.line);
  const onResize = () => setImmediate(() => screen.resize());
  process.stdout.on('resize', onResize);
  // In a pipe, Ctrl-C is a signal (on a terminal readline reads it as a key while input is open).
  const onInterrupt = () => adapter.interrupt();
  process.on('SIGINT', onInterrupt);
  await adapter.start((inv, threads) => app.dispatcher.dispatch(inv, threads));
  await adapter.done;
  // Its SIGINT listener goes only once waitForJobs has its own: with none, a Ctrl-C would kill the process.
  const left = await waitForJobs(transport, screen, run.demo);
  process.off('SIGINT', onInterrupt);
  if (!left) await app.idle();
  process.stdout.off('resize', onResize);
  // The console always exits: a connection that will not close must not keep it up.
  const force = setTimeout(() => {
    screen.printLog('opsline: stopping took too long; exiting now');
    process.exit(0);
  }, STOP_TIMEOUT_MS);
  force.unref();
  poster.close();
  await web?.stop();
  await app.stop();
  return 0;
}

/**
 * Input has ended: with threads still running, says which and waits for them; Ctrl-C leaves them
 * (to the workers, or, in the demo, cancels them: the demo's agent lives in this process).
 * Returns true when the user left.
 */
async function waitForJobs(transport: ConsoleTransport, screen: Screen, demo: boolean): Promise<boolean> {
  const running = transport.running();
  if (running.length === 0) return false;
  const them = running.length === 1 ? 'it' : 'them';
  const how = demo
    ? `Ctrl-C cancels ${them} and quits (the demo runs ${them} in this process)`
    : `Ctrl-C quits and leaves ${them} to the workers (/burn watch or /deploy watch follows one again)`;
  const jobs = running.length === 1 ? '1 job' : `${running.length} jobs`;
  // Listening before saying so: whoever reads the line may press Ctrl-C at once.
  let onSigint: (() => void) | undefined;
  const interrupted = new Promise<true>((resolve) => process.once('SIGINT', (onSigint = () => resolve(true))));
  screen.print(`waiting for ${jobs} to end; ${how}:\n${running.map((r) => `  ${r}`).join('\n')}`);
  const left = await Promise.race([transport.allEnded().then(() => false as const), interrupted]);
  if (onSigint) process.off('SIGINT', onSigint);
  if (left) screen.print(demo ? 'cancelling the running jobs and quitting' : 'quitting; the jobs go on at the workers');
  return left;
}

/**
 * On a terminal, log lines are for people (pino-pretty), at `warn` unless asked for, and printed
 * above the prompt; elsewhere they stay JSON on stderr. Either way stdout carries only the conversation.
 */
function consoleLogger(config: Config, loaded: Loaded | undefined, flag: string | undefined, screen: Screen): App['log'] {
  const secrets = loaded?.secrets;
  if (!process.stderr.isTTY) return createLogger({ level: flag ?? config.log.level, secrets });
  const destination = prettyDestination((text) => screen.printLog(text), process.stderr.hasColors?.() === true);
  return createLogger({ level: terminalLevel(config.log.level, loaded?.logLevelSet ?? false, flag), secrets, destination });
}
