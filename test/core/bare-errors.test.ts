import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * The plain `throw new Error(` that remain, and why each is a programmer's mistake rather than something a
 * user or an operator must be able to look up (docs/architecture.md#errors). A new one fails this test:
 * give it a catalogue code (UserError, OperatorError, a device code), or add it here with its reason.
 */
const PROGRAMMER_ERRORS = new Map<string, [number, string]>([
  ['src/core/define-command.ts', [7, 'a command definition that breaks the rules; fails when the module loads']],
  ['src/core/registry.ts', [2, 'a duplicate command name or a missing handler in the command list; fails at start']],
  ['src/core/duration.ts', [1, 'parseDuration behind the schema, which lets through only what it accepts']],
  ['src/config/schedules.ts', [1, 'durationMs behind the schema, which lets through only what it accepts']],
  ['src/config/key-files.ts', [1, 'caught at once and reported as a config issue (config_invalid)']],
  ['src/jobs/setup.ts', [1, 'unreachable: the schema requires redis with agents']],
  ['src/services/secrets/index.ts', [1, 'called only with mysql.vault set']],
  ['src/services/db/tasks.ts', [1, 'the status command offers windows only with a timeColumn']],
  ['src/services/db/index.ts', [1, 'called only with a mysql section']],
  ['src/services/db/pool.ts', [2, 'narrowing behind the schema, which checks mysql.url and host/user']],
  ['src/services/db/note-write.ts', [1, 'MySQL refused a duplicate key that then does not exist: a broken invariant (internal)']],
  ['src/protocol/z85.ts', [1, 'keys are checked for length before encoding']],
  ['src/protocol/doc-tables.ts', [1, 'docs/agent.md lost its markers: the maintainer running docs:protocol']],
  ['src/agent/jobs.ts', [1, 'a job kind the agent was not built with']],
  ['src/agent/journal.ts', [2, 'the agent cannot read its own ledger at start (a line or an old file); the agent imports nothing of core (its own trust domain)']],
  ['src/http/server.ts', [2, 'a route or a path tree mounted twice']],
  ['src/adapters/discord/factory.ts', [1, 'narrowing: the schema requires publicKey in http mode']],
  ['src/adapters/discord/http.ts', [1, 'an interaction answered twice']],
  ['src/adapters/slack/respond.ts', [1, 'a late answer asked for a request that has no response_url']],
  ['src/adapters/slack/http-receiver.ts', [1, 'a request acknowledged twice']],
  ['src/adapters/slack/adapter.ts', [1, 'narrowing: the schema requires appToken in socket mode']],
  ['src/core/plugin.ts', [1, 'a plugin handler that returned no reply: the dispatcher answers internal with the invocation id and logs it']],
]);

async function* sources(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* sources(path);
    else if (e.name.endsWith('.ts')) yield path;
  }
}

describe('plain Error throws', () => {
  it('are only the programmer errors listed here; everything a person can see has a catalogue code', async () => {
    const found = new Map<string, number>();
    for (const dir of ['src', 'commands'])
      for await (const file of sources(join(ROOT, dir))) {
        const n = (await readFile(file, 'utf8')).match(/throw new Error\(/g)?.length ?? 0;
        if (n > 0) found.set(relative(ROOT, file), n);
      }
    const unexpected = [...found].filter(([file, n]) => n > (PROGRAMMER_ERRORS.get(file)?.[0] ?? 0));
    expect(unexpected).toEqual([]);
    expect([...found.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30);
  });
});
