import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../config/schema.js';
import { CheckFailure, type Check } from '../doctor/types.js';

const run = promisify(execFile);

/** On a device host: xorriso runs, the images and state directories are usable, every drive exists. */
export function deviceHostChecks(config: Config): Check[] {
  const agent = config.agent;
  if (!agent) return [];
  return [
    {
      name: 'xorriso',
      async run() {
        const { stdout } = await run('xorriso', ['-version']).catch((err: NodeJS.ErrnoException) => {
          throw new CheckFailure(err.code === 'ENOENT' ? 'not installed (apt-get install xorriso)' : err.message, { cause: err });
        });
        return stdout.split('\n')[0] ?? 'runs';
      },
    },
    {
      name: 'images dir',
      target: agent.imagesDir,
      async run() {
        const isos = (await readdir(agent.imagesDir)).filter((f) => f.endsWith('.iso'));
        return `${agent.imagesDir}: ${isos.length} .iso file${isos.length === 1 ? '' : 's'}`;
      },
    },
    {
      name: 'state dir',
      target: agent.stateDir,
      async run() {
        const missing = await access(agent.stateDir, constants.W_OK).then(
          () => false,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return true;
            throw err;
          },
        );
        if (!missing) return `${agent.stateDir} is writable`;
        // The agent creates it, parents included (src/agent/ledger.ts): enough that it may write where it starts.
        const base = await existingAncestor(agent.stateDir);
        await access(base, constants.W_OK).catch((err: unknown) => {
          throw new CheckFailure(`${agent.stateDir} does not exist, and the agent cannot create it: ${base} is not writable for this user`, { cause: err });
        });
        return `${agent.stateDir} does not exist yet; the agent creates it in ${base}, which is writable`;
      },
    },
    ...agent.drives.map((d) => ({
      name: `drive ${d.name}`,
      target: d.device,
      async run() {
        if (d.device.startsWith('stdio:')) {
          const file = d.device.slice('stdio:'.length);
          await access(dirname(file), constants.W_OK);
          return `pseudo-drive ${file}`;
        }
        const s = await stat(d.device);
        if (!s.isBlockDevice() && !s.isCharacterDevice()) throw new CheckFailure(`${d.device} is not a device`);
        await access(d.device, constants.R_OK | constants.W_OK);
        return `${d.device}`;
      },
    })),
  ];
}

/** The nearest directory above `path` that exists. */
async function existingAncestor(path: string): Promise<string> {
  let dir = dirname(path);
  while (dir !== dirname(dir) && !(await stat(dir).then(() => true, () => false))) dir = dirname(dir);
  return dir;
}
