import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * An xorriso stand-in for the agent's `xorriso` option: it logs its argv to a file, then runs the real
 * xorriso with the same argv (passing SIGINT on), so a test can count how many burns really ran.
 */
export async function countingXorriso(dir: string): Promise<{ path: string; burns(): Promise<number> }> {
  const log = join(dir, 'xorriso-calls.log');
  const path = join(dir, 'xorriso-counting.mjs');
  await writeFile(
    path,
    `#!${process.execPath}
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
const child = spawn('xorriso', process.argv.slice(2), { stdio: 'inherit' });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`,
  );
  await chmod(path, 0o755);
  await writeFile(log, '');
  return {
    path,
    async burns() {
      const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      return lines.filter((l) => l.includes('cdrecord')).length;
    },
  };
}
