import { once } from 'node:events';
import { startCli } from './cli-child.js';

export interface BotChild {
  readonly base: string;
  readonly pid: number;
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null }>;
  signal(signal: NodeJS.Signals): void;
}

/** `opsline start --config <file>` in a child process, on the port it logged (use `http.port: 0`); `timeoutMs` only bounds a hang. */
export async function startBotChild(configPath: string, timeoutMs = 20_000): Promise<BotChild> {
  const child = await startCli(['--config', configPath, 'start'], 'opsline started', {}, timeoutMs);
  const m = /"port":(\d+)[^\n]*opsline started/.exec(child.output());
  if (!m) throw new Error(`no port in the start log:\n${child.output()}`);
  let exited: Promise<[number | null]> | undefined;
  return {
    base: `http://127.0.0.1:${m[1]}`,
    pid: child.pid!,
    output: () => child.output(),
    signal: (s) => void child.kill(s),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return { code: child.exitCode };
      exited ??= once(child, 'exit') as Promise<[number | null]>;
      child.kill(signal);
      const [code] = await exited;
      return { code };
    },
  };
}
