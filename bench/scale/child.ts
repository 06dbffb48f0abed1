import type { ChildProcess } from 'node:child_process';
import { startCli } from '../../test/helpers/cli-child.js';

export type Child = ChildProcess & { output(): string };

/** The built `opsline <args>` as a child process (test/helpers/cli-child.ts); resolves once its log shows `ready`. */
export function spawnOpsline(args: string[], ready: string): Promise<Child> {
  return startCli(args, ready, {}, 30_000);
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
