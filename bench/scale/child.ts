import { spawn, type ChildProcess } from 'node:child_process';

const CLI = new URL('../../src/cli.js', import.meta.url).pathname;

export type Child = ChildProcess & { output(): string };

/** The built `opsline <args>` as a child process; resolves once its log shows `ready`. */
export async function spawnOpsline(args: string[], ready: string): Promise<Child> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    // Only the tail: a long run of warnings must not grow this process.
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsline ${args.at(-1)} did not log "${ready}" in time:\n${out.slice(-2000)}`)), 30_000);
    const check = () => {
      if (!out.includes(ready)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opsline ${args.at(-1)} exited with ${code}:\n${out.slice(-2000)}`));
    });
  });
  return Object.assign(child, { output: () => out });
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
