import { execFile } from 'node:child_process';
import { XORRISO_ENV } from './child-env.js';
import { AgentError } from './errors.js';
import type { DriveInfo, EjectResult } from '../protocol/index.js';

export interface DriveConfig {
  readonly name: string;
  readonly device: string;
  readonly speed?: string | undefined;
}

export const isPseudo = (d: DriveConfig): boolean => d.device.startsWith('stdio:');

/** A drive from this agent's own config, by the name a request gives. */
export function findDrive(drives: readonly DriveConfig[], name: string): DriveConfig {
  const d = drives.find((x) => x.name === name);
  if (!d) throw new AgentError('unknown_drive', `no drive named ${name} on this agent (known: ${drives.map((x) => x.name).join(', ') || 'none'})`);
  return d;
}

export function describeDrive(d: DriveConfig, busyWith: string | undefined): DriveInfo {
  return { name: d.name, kind: isPseudo(d) ? 'pseudo' : 'device', ...(d.speed ? { speed: d.speed } : {}), ...(busyWith ? { busyWith } : {}) };
}

/** Opens the tray through xorriso (argv only). A pseudo-drive is a file: there is nothing to eject, and we say so. */
export async function ejectDrive(d: DriveConfig, xorriso = 'xorriso'): Promise<EjectResult> {
  if (isPseudo(d)) return { drive: d.name, ejected: 'no-op', message: `${d.name} is a pseudo-drive (a file): nothing to eject` };
  return new Promise((resolve) => {
    execFile(xorriso, ['-abort_on', 'FAILURE', '-outdev', d.device, '-eject', 'all'], { timeout: 60_000, env: { ...XORRISO_ENV } }, (err, _out, stderr) => {
      if (!err) return resolve({ drive: d.name, ejected: true, message: `${d.name} ejected` });
      const why = String(stderr).split('\n').filter((l) => /FAILURE|SORRY/.test(l)).pop() ?? err.message;
      resolve({ drive: d.name, ejected: false, message: `${d.name} did not eject: ${why.trim()}` });
    });
  });
}
