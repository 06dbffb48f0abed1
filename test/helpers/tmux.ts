import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TmuxPane {
  /** Keys as tmux names them (`Enter`, `C-d`, `C-c`) or literal text with `{ literal: true }`. */
  keys(keys: string[], opts?: { literal?: boolean }): Promise<void>;
  /** Types text literally (no Enter). */
  type(text: string): Promise<void>;
  /** The pane's logical lines, history included, wrapped rows joined, trailing spaces trimmed. */
  lines(): Promise<string[]>;
  /** Polls the pane until `test` holds for its lines; fails with the pane's content after `timeoutMs`. */
  waitFor(what: string, test: (lines: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  resize(width: number, height: number): Promise<void>;
  /** Waits for the program to exit and returns its exit status. */
  exited(timeoutMs?: number): Promise<number>;
  kill(): Promise<void>;
}

/**
 * Runs `argv` in a real terminal: a detached tmux session on its own server socket (so tests run in
 * parallel), kept on screen after the program exits so its last output and exit status can be read.
 */
export async function tmuxPane(argv: readonly string[], opts: { width?: number; height?: number; cwd?: string } = {}): Promise<TmuxPane> {
  const socket = `opsline-t-${randomBytes(4).toString('hex')}`;
  const tmux = (args: readonly string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...args], { cwd: opts.cwd });
  const size = ['-x', String(opts.width ?? 80), '-y', String(opts.height ?? 24)];
  await tmux(['new-session', '-d', '-s', 'main', ...size, ...argv, ';', 'set-option', '-w', '-t', 'main', 'remain-on-exit', 'on']);
  const lines = async () => {
    const { stdout } = await tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', 'main']);
    return stdout
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => !l.startsWith('Pane is dead'));
  };
  const pane: TmuxPane = {
    keys: async (keys, o = {}) => void (await tmux(['send-keys', '-t', 'main', ...(o.literal ? ['-l'] : []), ...keys])),
    type: (text) => pane.keys([text], { literal: true }),
    lines,
    async waitFor(what, test, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await lines();
        if (test(now)) return now;
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${what}:\n${now.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    resize: async (width, height) => void (await tmux(['resize-window', '-t', 'main', '-x', String(width), '-y', String(height)])),
    async exited(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { stdout } = await tmux(['display-message', '-p', '-t', 'main', '#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}']);
        const [dead, status, signal] = stdout.trim().split('|');
        // tmux may say the pane is dead a moment before it has the exit status: poll until it has one.
        if (dead === '1' && status) return Number(status);
        if (dead === '1' && signal) throw new Error(`the program was killed by signal ${signal}:\n${(await lines()).join('\n')}`);
        if (Date.now() > deadline) throw new Error(`the program did not exit:\n${(await lines()).join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill: async () => void (await tmux(['kill-server']).catch(() => undefined)),
  };
  return pane;
}
