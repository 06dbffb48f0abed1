import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli-child.js';

const ALERT = /^#ops 🔴 alert demo-failures: \d+ Failed in the last 24 h \(alert above 3\) @\S+$/m;
const DIGEST = /^#ops \[demo-digest \d\d:\d\d(:\d\d)? UTC\] Tasks, last 24 hours: \d+ total, \d+% done(, as of [\w ]+)?$/m;

/** The demo console on a pipe, left open until the demo's alert and digest have printed, then `/schedule list`. */
function demoUntilPosted(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'console', '--demo'], { env: { PATH: process.env.PATH, HOME: tmpdir() }, cwd: tmpdir() });
    let out = '';
    let ended = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ended && ALERT.test(out) && DIGEST.test(out)) {
        ended = true;
        child.stdin.end('/schedule list\n');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the demo schedules', () => {
  it('print an alert and a digest on the console within a minute, and /schedule list shows them', async () => {
    const r = await demoUntilPosted();
    expect(r.code).toBe(0);
    expect(r.out.match(new RegExp(ALERT.source, 'gm'))).toHaveLength(1);
    expect(r.out).toMatch(/^alert demo-failures · every 20s → console ops\n {2}next .* · last .*: (fired, posted|firing, no change): /m);
    expect(r.out).toMatch(/^schedule demo-digest · every 40s → console ops\n {2}next .* · last .*: posted$/m);
  }, 120_000);
});
