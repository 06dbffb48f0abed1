import { ConsoleAdapter } from '../adapters/console/adapter.js';
import { ConsolePoster } from '../adapters/console/poster.js';
import { Screen } from '../adapters/console/screen.js';
import { ConsoleTransport } from '../adapters/console/transport.js';
import { buildConfig, ConfigError, loadConfigFile } from '../config/load.js';
import { demoConfig, osUser } from '../config/demo.js';
import { createLogger } from '../log.js';
import { buildApp } from '../main.js';

export interface ConsoleRun {
  readonly demo: boolean;
  readonly configFlag?: string;
}

/** `opsline console [--demo]`: returns the exit code. */
export async function runConsole(run: ConsoleRun): Promise<number> {
  const loaded = run.demo ? undefined : loadConfigFile(run.configFlag);
  if (!run.demo && !loaded)
    throw new ConfigError('opsline.yaml', ['no config found: pass --config, set OPSLINE_CONFIG, create ./opsline.yaml, or run with --demo']);
  const config = loaded?.config ?? buildConfig(demoConfig());
  const log = createLogger({ level: config.log.level, secrets: loaded?.secrets });
  const app = await buildApp(config, {
    log,
    demo: run.demo,
    demoAgent: run.demo,
    secretValues: loaded?.secrets,
    notice: (text) => process.stderr.write(`opsline: ${text}\n`),
  });
  const user = config.console?.user ?? osUser();
  const screen = new Screen(process.stdout, process.stdout.isTTY === true && process.stdin.isTTY === true);
  const transport = new ConsoleTransport(screen);
  app.transports.add(transport);
  // Only the demo works its own in-process queue. With a real config the queues are shared: a
  // console worker would take Slack and Discord jobs it cannot report, and stop them at end of input.
  if (run.demo) await app.startWorkers();
  // The console shows only console posts; Slack and Discord ones are left to `opsline start` or `worker`.
  await app.startSchedules([new ConsolePoster(screen)]);
  const adapter = new ConsoleAdapter({ input: process.stdin, output: process.stdout, screen, transport, principal: { key: `console:${user}`, name: user } });
  await adapter.start((inv, threads) => app.dispatcher.dispatch(inv, threads));
  await adapter.done;
  await app.idle();
  await app.stop();
  return 0;
}
