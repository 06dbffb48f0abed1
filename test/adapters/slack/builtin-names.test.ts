import { describe, expect, it } from 'vitest';
import { isSlackBuiltin } from '../../../src/words/slack-builtins.js';
import { commandRenamer, registryName, routeSlash, slackCommandName } from '../../../src/adapters/slack/names.js';

// Every name the manifest declares must route back to its command, whatever the prefix did.
describe('slack names around the built-ins', () => {
  const names = ['status', 'note', 'burn', 'way', 'rug', 'help'];
  for (const prefix of ['', 'ops-', 'a', 'sh', 'x-']) {
    it(`round-trips every command with prefix "${prefix}" and never yields a built-in`, () => {
      for (const n of names) {
        const slash = slackCommandName(prefix, n);
        expect(isSlackBuiltin(slash), slash).toBe(false);
        expect(registryName(prefix, slash)).toBe(n);
        expect(routeSlash(prefix, 'opsline', slash, 'x y')).toEqual({ command: n, text: 'x y' });
      }
    });
  }

  it('names /status /ops-status without a prefix, in replies too', () => {
    expect(slackCommandName('', 'status')).toBe('/ops-status');
    expect(slackCommandName('', 'note')).toBe('/note');
    expect(commandRenamer('', ['status', 'note'])('try /status or /note list')).toBe('try /ops-status or /note list');
  });

  it('routes the umbrella: the first word is the command, the rest its text; alone it is help', () => {
    expect(routeSlash('', 'opsline', '/opsline', 'burn status b123')).toEqual({ command: 'burn', text: 'status b123' });
    expect(routeSlash('ops-', 'opsline', '/opsline', '/Note add hi')).toEqual({ command: 'note', text: 'add hi' });
    expect(routeSlash('', 'opsline', '/opsline', '  ')).toEqual({ command: 'help', text: '' });
  });
});
