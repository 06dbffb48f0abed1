import type { RunResult } from '../../src/protocol/index.js';

/** Lines and characters of output a quick command's reply shows: within Slack's and Discord's limits with room to spare. */
const MAX_LINES = 30;
const MAX_CHARS = 1500;

/** The output a person reads in place: the last lines that fit, saying how many were left out. */
export function quickOutput(lines: readonly string[]): string {
  const kept: string[] = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < MAX_LINES; i--) {
    const line = lines[i] ?? '';
    if (chars + line.length + 1 > MAX_CHARS) break;
    kept.unshift(line);
    chars += line.length + 1;
  }
  const left = lines.length - kept.length;
  return `${left > 0 ? `(${left} earlier line${left === 1 ? '' : 's'} not shown)\n` : ''}${kept.join('\n')}`;
}

/** `exit 0 · 0.3 s`, or what stopped it when there is no exit code. */
export function runSummary(r: RunResult): string {
  const code = r.exitCode !== null ? `exit ${r.exitCode}` : r.outcome;
  return `${r.ok ? '✔' : '✘'} ${code} · ${(r.durationMs / 1000).toFixed(1)} s`;
}
