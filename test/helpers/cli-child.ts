import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');

/** Runs the built `opsline <args>` in a child process; resolves once stderr shows `ready` (a log message). */
export async function startCli(args: string[], ready: string, env: NodeJS.ProcessEnv = {}): Promise<ChildProcess & { output(): string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsline ${args[0]} did not log "${ready}" in time:\n${out}`)), 20_000);
    const check = () => {
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opsline ${args[0]} exited with ${code}:\n${out}`));
    });
  });
  return Object.assign(child, { output: () => out });
}
