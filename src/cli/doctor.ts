import { platformChecks } from '../adapters/doctor.js';
import { deviceHostChecks } from '../agent/doctor.js';
import { umbrellaClash } from '../adapters/slack/names.js';
import { commands } from '../../commands/index.js';
import { sourceChecks } from '../../commands/declared/doctor.js';
import { runCommandChecks } from '../../commands/declared/run-doctor.js';
import { withDeclared } from '../../commands/declared/list.js';
import { withPlugins } from '../../commands/plugins/load.js';
import { ConfigError, requireConfigFile } from '../config/load.js';
import { Access, unknownAccessKeys } from '../core/access.js';
import { printable } from '../core/printable.js';
import { Registry } from '../core/registry.js';
import { scheduleIssues, withSchedulePrincipals } from '../schedules/check.js';
import { CheckFailure, noAnswer, rootCause, type Check } from '../doctor/types.js';
import { mysqlChecks } from '../services/db/doctor.js';
import { agentChecks } from '../services/devices/doctor.js';
import { redisChecks } from '../services/queue/doctor.js';
import { vaultChecks } from '../services/secrets/doctor.js';

export interface DoctorIo {
  readonly out: NodeJS.WritableStream;
  readonly timeoutMs?: number;
}

/**
 * `opsline doctor`: validates the config (a bad one exits 2 with every offending key), then checks
 * every dependency it names, one line each, all at once; exits 1 when any check fails.
 */
export async function runDoctor(configFlag: string | undefined, io: DoctorIo = { out: process.stdout }): Promise<number> {
  const loaded = requireConfigFile(configFlag);
  const { config } = loaded;
  // Checked against the commands, as `opsline start` does: access overrides and scheduled commands.
  // A plugin module that fails to load, or a command it registers that is refused, fails here as at start.
  const registry = new Registry(withDeclared(await withPlugins(commands, loaded), config, loaded.source));
  const access = new Access(withSchedulePrincipals(config.access, config.schedules));
  // A declared name that is the Slack umbrella's would stop `opsline start`: said here with the file and the key.
  const umbrella = config.slack && umbrellaClash(config.slack.commandPrefix, config.slack.umbrellaCommand, registry.all().map((c) => c.name), config.commands ?? []);
  const refused = [...unknownAccessKeys(config.access, registry.targets().map((t) => t.path)), ...scheduleIssues(config.schedules, registry, access), ...(umbrella ? [umbrella] : [])];
  if (refused.length) throw new ConfigError(loaded.source, refused);
  const checks: Check[] = [
    ...vaultChecks(config),
    ...mysqlChecks(config),
    ...redisChecks(config),
    ...agentChecks(config),
    ...platformChecks(config),
    ...deviceHostChecks(config),
    ...sourceChecks(config),
    ...runCommandChecks(config),
  ];
  const width = Math.max(6, ...checks.map((c) => c.name.length));
  io.out.write(`ok   ${'config'.padEnd(width)}  ${loaded.source} is valid\n`);
  const results = await Promise.all(checks.map((c) => settle(c, io.timeoutMs ?? 10_000)));
  results.forEach((r, i) => io.out.write(`${r.ok ? 'ok  ' : 'FAIL'} ${checks[i]!.name.padEnd(width)}  ${oneLine(r.detail)}\n`));
  if (checks.length === 0) io.out.write('(the config names no dependencies to check)\n');
  return results.every((r) => r.ok) ? 0 : 1;
}

async function settle(c: Check, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(noAnswer(c, timeoutMs))), timeoutMs);
  });
  try {
    return { ok: true, detail: await Promise.race([c.run(), timeout]) };
  } catch (err) {
    return { ok: false, detail: rootCause(err) };
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(s: string): string {
  // A detail is a dependency's own answer: no control character reaches the terminal raw.
  const line = printable(s.replace(/\s+/g, ' ').trim());
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
