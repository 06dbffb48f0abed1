import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { until } from './until.js';

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
 * Runs the program as a child of a small watcher that records how it ended in a file: tmux 3.3's
 * `pane_dead_status` is empty for a pane that was kept after its program exited, so the pane cannot
 * say. The watcher ignores SIGINT (a Ctrl-C in cooked mode reaches the whole foreground group) and
 * leaves the terminal to the program.
 */
const WATCHER = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
process.on('SIGINT', () => {});
const [file, cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: 'inherit' });
child.on('exit', (code, signal) => {
  writeFileSync(file, signal ? 'signal ' + signal : String(code));
  process.exit(code ?? 1);
});`;

/**
 * Runs `argv` in a real terminal: a detached tmux session on its own server socket (so tests run in
 * parallel), kept on screen after the program exits so its last output and exit status can be read.
 */
export async function tmuxPane(argv: readonly string[], opts: { width?: number; height?: number; cwd?: string } = {}): Promise<TmuxPane> {
  const socket = `opsline-t-${randomBytes(4).toString('hex')}`;
  const tmux = (args: readonly string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...args], { cwd: opts.cwd });
  const size = ['-x', String(opts.width ?? 80), '-y', String(opts.height ?? 24)];
  const statusFile = join(tmpdir(), `${socket}.status`);
  // A file, not `node -e`: tmux reads an argument that ends in `;` as a command separator.
  const watcher = join(tmpdir(), `${socket}.watcher.cjs`);
  await writeFile(watcher, WATCHER);
  const watched = [process.execPath, watcher, statusFile, ...argv];
  await tmux(['new-session', '-d', '-s', 'main', ...size, ...watched, ';', 'set-option', '-w', '-t', 'main', 'remain-on-exit', 'on']);
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
      const shown = async () => {
        const now = await lines();
        return test(now) ? now : undefined;
      };
      return until(shown, { timeoutMs, everyMs: 100, what: async () => `the terminal to show ${what}:\n${(await lines()).join('\n')}` });
    },
    resize: async (width, height) => void (await tmux(['resize-window', '-t', 'main', '-x', String(width), '-y', String(height)])),
    async exited(timeoutMs = 30_000) {
      const status = await until(async () => await readFile(statusFile, 'utf8').catch(() => undefined), {
        timeoutMs,
        everyMs: 100,
        what: async () => `the program to exit:\n${(await lines()).join('\n')}`,
      });
      if (status.startsWith('signal')) throw new Error(`the program was killed by ${status}:\n${(await lines()).join('\n')}`);
      return Number(status);
    },
    kill: async () => void (await tmux(['kill-server']).catch(() => undefined)),
  };
  return pane;
}
