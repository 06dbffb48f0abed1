import { describe, expect, it } from 'vitest';
import { ProgressParser } from '../../src/agent/burner/progress.js';
import { burnArgv, explainExit } from '../../src/agent/burner/xorriso.js';

const MB = 1024 * 1024;

describe('ProgressParser', () => {
  it('reads cdrecord-style pacifier lines into bytes, total and rate', () => {
    let t = 1_000;
    const p = new ProgressParser(3.5 * MB, () => t);
    expect(p.parse('Beginning to write data track.')).toBeUndefined();
    t = 2_000;
    expect(p.parse('xorriso : UPDATE :    1 of    3 MB written (fifo 55%) [buf  50%]')).toEqual({ bytes: MB, total: 3.5 * MB, rate: 0 });
    t = 2_500;
    expect(p.parse('xorriso : UPDATE :    2 of    3 MB written (fifo 30%) [buf  50%]   1.5x.')).toEqual({ bytes: 2 * MB, total: 3.5 * MB, rate: 2 * MB });
    // Repeated lines and lines that go backwards never move the count back.
    t = 3_000;
    expect(p.parse('xorriso : UPDATE :    1 of    3 MB written (fifo 30%) [buf  50%]   0.0x.')?.bytes).toBe(2 * MB);
    expect(p.complete().bytes).toBe(3.5 * MB);
  });

  it('reads xorriso sector lines and clamps to the total', () => {
    const p = new ProgressParser(4096);
    expect(p.parse('Writing: sector 1 of 2')?.bytes).toBe(2048);
    expect(p.parse('Writing: sector 9 of 2')?.bytes).toBe(4096);
  });
});

describe('xorriso driver', () => {
  it('builds an argv array: image and drive are single arguments, never shell text', () => {
    expect(burnArgv({ device: 'stdio:/tmp/a b.img', imagePath: '/srv/images/x y.iso', speed: '4000k' })).toEqual([
      '-pacifier',
      'interval=0.5',
      '-as',
      'cdrecord',
      '-v',
      'dev=stdio:/tmp/a b.img',
      'speed=4000k',
      'stdio_sync=1m',
      '/srv/images/x y.iso',
    ]);
  });

  it('maps exit codes and xorriso complaints to clear messages', () => {
    expect(explainExit(5, null, "Cannot acquire drive 'stdio:/nope/x'")).toMatch(/^the drive is not available/);
    expect(explainExit(5, null, "Could not open data source 'x.iso'")).toMatch(/^the image could not be read/);
    expect(explainExit(5, null, '')).toBe('xorriso reported a failure');
    expect(explainExit(32, null, '')).toBe('xorriso aborted on a fatal error');
    expect(explainExit(null, 'SIGKILL', '')).toBe('xorriso was killed by SIGKILL');
  });
});
