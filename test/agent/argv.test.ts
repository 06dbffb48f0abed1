import { describe, expect, it } from 'vitest';
import { DEFAULT_REF_PATTERN, commandArgv } from '../../src/agent/runner/argv.js';

const cmd = (refPattern: string) => ({ argv: ['/bin/deploy', '--', '{ref}', 'at={ref}'], refPattern, timeoutSec: 1 });

describe('the agent\'s argv', () => {
  it('puts the ref in as one whole element, once, and reads nothing in it again', () => {
    expect(commandArgv('app', cmd('.*'), '{ref} $(id) ${HOME} {vault:a/b#c}')).toEqual(['/bin/deploy', '--', '{ref} $(id) ${HOME} {vault:a/b#c}', 'at={ref}']);
  });

  it('refuses, with the default pattern, refs that are options or paths', () => {
    for (const ref of ['-rf', '--force', '../../etc/passwd', '/etc/passwd', 'a/../b']) {
      expect(() => commandArgv('app', cmd(DEFAULT_REF_PATTERN), ref)).toThrow(/does not match/);
    }
    expect(commandArgv('app', cmd(DEFAULT_REF_PATTERN), 'release/1.2')).toEqual(['/bin/deploy', '--', 'release/1.2', 'at={ref}']);
  });
});
