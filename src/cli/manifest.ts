import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { commands } from '../../commands/index.js';
import { withDeclared } from '../../commands/declared/list.js';
import { withPlugins } from '../../commands/plugins/load.js';
import { PLACEHOLDER_BASE, slackManifest } from '../adapters/slack/manifest.js';
import { loadConfigFile } from '../config/load.js';
import { COMMAND_PREFIX } from '../words/names.js';

export interface ManifestRun {
  readonly platform: string;
  readonly configFlag?: string;
  /** Public base URL of the bot (http mode); defaults to slack.publicUrl. */
  readonly url?: string;
  /** Override slack.mode and slack.commandPrefix, e.g. before a config with tokens exists. */
  readonly mode?: string;
  readonly prefix?: string;
  readonly name?: string;
  /** Override slack.umbrellaCommand. */
  readonly umbrella?: string;
  readonly format: string;
  readonly out: Writable;
  readonly err: Writable;
}

/**
 * `opsline manifest slack`: prints the app manifest to paste into "Create an app → From a manifest".
 * The config is optional (the manifest comes first, the tokens after), so flags can stand in for it.
 */
export async function runManifest(run: ManifestRun): Promise<number> {
  if (run.platform !== 'slack') {
    run.err.write(`opsline manifest: only "slack" has a manifest (Discord commands are registered with opsline register discord)\n`);
    return 2;
  }
  if (run.format !== 'json' && run.format !== 'yaml') {
    run.err.write(`opsline manifest: --format must be json or yaml, not ${run.format}\n`);
    return 2;
  }
  if (run.mode !== undefined && run.mode !== 'http' && run.mode !== 'socket') {
    run.err.write(`opsline manifest: --mode must be http or socket, not ${run.mode}\n`);
    return 2;
  }
  const file = loadConfigFile(run.configFlag);
  const loaded = file?.config;
  const listed = await withPlugins(commands, file);
  const slack = loaded?.slack;
  const mode = (run.mode as 'http' | 'socket' | undefined) ?? slack?.mode ?? 'http';
  const prefix = run.prefix ?? slack?.commandPrefix ?? '';
  if (!COMMAND_PREFIX.test(prefix)) {
    run.err.write(`opsline manifest: the prefix must be lower-case letters, digits and -, at most 10 characters\n`);
    return 2;
  }
  const url = run.url ?? slack?.publicUrl;
  if (mode === 'http' && !url)
    run.err.write(`opsline manifest: no --url or slack.publicUrl; request URLs use ${PLACEHOLDER_BASE}, edit them before creating the app\n`);
  let manifest: Record<string, unknown>;
  try {
    manifest = slackManifest(withDeclared(listed, loaded), { prefix, mode, baseUrl: url, name: run.name, umbrella: run.umbrella ?? slack?.umbrellaCommand, userGroups: (loaded?.access.slackGroups.length ?? 0) > 0 });
  } catch (err) {
    run.err.write(`opsline manifest: ${(err as Error).message}\n`);
    return 2;
  }
  run.out.write(run.format === 'yaml' ? stringify(manifest) : `${JSON.stringify(manifest, null, 2)}\n`);
  return 0;
}
