import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A clock shared by processes on one machine: ms since the epoch, to the microsecond. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * The children's side of the bench's line protocol on stdio: `loaded` once imported, wait for `go`
 * on stdin (the parent has taken the RSS it starts from), then `ready` once connected, and at the end
 * `result <json>`; the child then waits to be killed, so its CPU time can be read after its work.
 */
export async function childProtocol(connect: () => Promise<void>, run: () => Promise<unknown>): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((r) => lines.on('line', (l) => l === 'go' && r()));
  process.stdout.write('loaded\n');
  await go;
  await connect();
  process.stdout.write('ready\n');
  const result = await run();
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

export interface BenchChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the child prints `line` (or the first line starting with it); rejects if it exits first. */
  line(prefix: string): Promise<string>;
  go(): void;
  kill(): void;
}

/** Spawns a compiled child script and follows its protocol lines. */
export function spawnChild(script: string, args: string[]): BenchChild {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const seen: string[] = [];
  const waiting: { prefix: string; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    seen.push(l);
    for (const w of waiting.filter((x) => l.startsWith(x.prefix))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(l);
    }
  });
  child.once('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} exited with ${code} before "${w.prefix}"`));
  });
  return {
    process: child,
    pid: child.pid!,
    line: (prefix) => {
      const l = seen.find((x) => x.startsWith(prefix));
      return l !== undefined ? Promise.resolve(l) : new Promise((resolve, reject) => waiting.push({ prefix, resolve, reject }));
    },
    go: () => void child.stdin!.write('go\n'),
    kill: () => void child.kill('SIGKILL'),
  };
}
