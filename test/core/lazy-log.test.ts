import { describe, expect, it } from 'vitest';
import { lazyChild } from '../../src/core/lazy-log.js';
import { captureLog } from '../helpers/log-capture.js';

describe('an invocation logger made on first use (src/core/lazy-log.ts)', () => {
  it('writes its lines with the bindings, redacted as a child\'s are', () => {
    const { log, lines } = captureLog('info');
    const inv = lazyChild(log, { invocationId: 'inv-1', token: 'xoxb-not-in-the-log' });
    inv.info({ step: 'run' }, 'ran');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ invocationId: 'inv-1', token: '[redacted]', step: 'run', msg: 'ran' });
    expect(lines[0]).not.toContain('xoxb-not-in-the-log');
  });

  it('a level the logger leaves out writes nothing; levels, children and isLevelEnabled answer as the real child would', () => {
    const { log, lines } = captureLog('info');
    const inv = lazyChild(log, { invocationId: 'inv-2' });
    inv.debug({ code: 'usage' }, 'refused');
    inv.trace('nothing');
    expect(lines).toEqual([]);
    expect(inv.level).toBe('info');
    expect(inv.isLevelEnabled('debug')).toBe(false);
    expect(inv.isLevelEnabled('warn')).toBe(true);
    inv.child({ job: 'j1' }).warn('slow');
    expect(JSON.parse(lines[0]!)).toMatchObject({ invocationId: 'inv-2', job: 'j1', msg: 'slow' });
    inv.level = 'debug';
    inv.debug('now shown');
    expect(JSON.parse(lines[1]!)).toMatchObject({ invocationId: 'inv-2', msg: 'now shown' });
    expect(log.level).toBe('info'); // the root is not changed by its child
  });
});
