import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../../dist/src/cli.js');

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
});

/** The demo console on a pipe that answers the confirmation prompt with the code it shows, as a person would. */
function demoDeploy(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'console', '--demo'], { env: { PATH: process.env.PATH, HOME: tmpdir(), USER: 'newcomer' }, cwd: tmpdir() });
    let out = '';
    let confirmed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const code = /\/confirm ([A-Z2-9]{6})/.exec(out)?.[1];
      if (code && !confirmed) {
        confirmed = true;
        child.stdin.end(`/confirm ${code}\n`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.write('/deploy list\n/deploy demo v1.0\n');
  });
}

describe('the demo deploy target', () => {
  it('asks to confirm, runs the harmless script on the demo agent and reports exit 0 before exiting', async () => {
    const r = await demoDeploy();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^demo \(hello on demo, asks to confirm\): unlocked; never deployed here$/m);
    expect(r.out).toMatch(/^deploy demo at v1\.0\?\nConfirm within 60 s: \/confirm [A-Z2-9]{6}$/m);
    expect(r.out).toMatch(/^deploy job d[a-z0-9]{6} of demo at v1\.0 queued; output is in the thread$/m);
    expect(r.out).toContain('   #1 │ deployed v1.0');
    expect(r.out).toMatch(/@\S+ deploy of demo v1\.0 finished ✔ \(exit 0, 0:0\d\)/);
  }, 30_000);
});
