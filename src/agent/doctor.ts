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
      async run() {
        const isos = (await readdir(agent.imagesDir)).filter((f) => f.endsWith('.iso'));
        return `${agent.imagesDir}: ${isos.length} .iso file${isos.length === 1 ? '' : 's'}`;
      },
    },
    {
      name: 'state dir',
      async run() {
        await access(agent.stateDir, constants.W_OK);
        return `${agent.stateDir} is writable`;
      },
    },
    ...agent.drives.map((d) => ({
      name: `drive ${d.name}`,
      async run() {
        if (d.device.startsWith('stdio:')) {
          const file = d.device.slice('stdio:'.length);
          await access(dirname(file), constants.W_OK);
          return `pseudo-drive ${file}`;
        }
        const s = await stat(d.device);
        if (!s.isBlockDevice() && !s.isCharacterDevice()) throw new Error(`${d.device} is not a device`);
        await access(d.device, constants.R_OK | constants.W_OK);
        return `${d.device}`;
      },
    })),
  ];
}
