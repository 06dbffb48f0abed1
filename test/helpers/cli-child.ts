import { spawn, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** The built CLI, whether this file runs from test/ (vitest) or compiled into dist/test/ (the benchmarks). */
export const CLI = basename(ROOT) === 'dist' ? join(ROOT, 'src', 'cli.js') : join(ROOT, 'dist', 'src', 'cli.js');

/** Output kept per child: the last MB, plenty for a test to search and a failure to show. */
const KEEP_CHARS = 1_000_000;

/**
 * Runs the built `opsline <args>` in a child process; resolves once its output shows `ready` (a log
 * message). Only the last MB of output is kept, so a long run (the scale bench) cannot grow this process.
 * Chunks are joined only when asked for or past twice that bound: a bench process reading a chatty
 * child (an agent logging each run) must not copy a megabyte per chunk while it times requests.
 */
export async function startCli(args: string[], ready: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000, nodeArgs: string[] = []): Promise<ChildProcess & { output(): string }> {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let chunks: string[] = [];
  let chars = 0;
  const out = (): string => {
    const all = chunks.join('').slice(-KEEP_CHARS);
    chunks = [all];
    chars = all.length;
    return all;
  };
  const keep = (d: Buffer) => {
    const text = d.toString();
    chunks.push(text);
    chars += text.length;
    if (chars > 2 * KEEP_CHARS) out();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsline ${args.join(' ')} did not log "${ready}" in time:\n${out().slice(-4000)}`)), timeoutMs);
    const check = () => {
      if (!out().includes(ready)) return;
      clearTimeout(timer);
      // Once ready, nothing searches the output on each chunk any more.
      child.stdout.off('data', check);
      child.stderr.off('data', check);
      child.off('exit', exited);
      resolve();
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`opsline ${args.join(' ')} exited with ${code}:\n${out().slice(-4000)}`));
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', exited);
  });
  return Object.assign(child, { output: out });
}
