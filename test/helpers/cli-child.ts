import { spawn, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** The built CLI, whether this file runs from test/ (vitest) or compiled into dist/test/ (the benchmarks). */
export const CLI = basename(ROOT) === 'dist' ? join(ROOT, 'src', 'cli.js') : join(ROOT, 'dist', 'src', 'cli.js');

/**
 * Runs the built `opsline <args>` in a child process; resolves once its output shows `ready` (a log
 * message). Only the last MB of output is kept, so a long run (the scale bench) cannot grow this process.
 */
export async function startCli(args: string[], ready: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000, nodeArgs: string[] = []): Promise<ChildProcess & { output(): string }> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-1_000_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsline ${args.join(' ')} did not log "${ready}" in time:\n${out.slice(-4000)}`)), timeoutMs);
    const check = () => {
      if (!out.includes(ready)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`opsline ${args.join(' ')} exited with ${code}:\n${out.slice(-4000)}`));
    });
  });
  return Object.assign(child, { output: () => out });
}
