import { describe, expect, it } from 'vitest';
import { commandRenamer, registryName, slackCommandName, userIdOf } from '../../../src/adapters/slack/names.js';
import { RecentKeys } from '../../../src/services/seen-keys.js';
import { escapeText, slackText, toSlackMessages, unescapeText } from '../../../src/adapters/slack/render.js';
import { mention, msg } from '../../../src/core/message.js';

describe('slack rendering', () => {
  it('escapes control characters in text; only a typed mention becomes <@U…>, whatever the shape of its id', () => {
    expect(escapeText('<!channel> a & b <http://evil|click> <@U123ABC> done')).toBe('&lt;!channel&gt; a &amp; b &lt;http://evil|click&gt; &lt;@U123ABC&gt; done');
    expect(slackText(msg`${mention({ key: 'slack:T1:U123ABC', name: 'alice' })} finished <@U9>`)).toBe('<@U123ABC> finished &lt;@U9&gt;');
    // A short test id renders too (the old marker reached Slack raw for such ids: issue 27).
    expect(slackText(msg`for ${mention({ key: 'slack:T1:U1', name: 'alice' })} (job 1)`)).toBe('for <@U1> (job 1)');
    // Another platform's user is named, not pinged.
    expect(slackText(msg`for ${mention({ key: 'discord:80351110224678912', name: 'bob <!here>' })}`)).toBe('for @bob &lt;!here&gt;');
  });

  it('decodes the entities Slack puts in command text', () => {
    expect(unescapeText('a &lt; b &amp;&amp; c &gt; d &amp;lt;')).toBe('a < b && c > d &lt;');
  });

  it('renders fields as lines, picks the response type, and splits very long text into numbered messages, nothing lost', () => {
    expect(toSlackMessages({ text: 'hi', fields: [{ label: 'key', value: 'v' }], visibility: 'channel' })).toEqual([{ text: 'hi\n*key:* v', response_type: 'in_channel' }]);
    const long = toSlackMessages({ text: 'x'.repeat(10_000), visibility: 'ephemeral' });
    expect(long.map((m) => m.text.slice(0, 4))).toEqual(['1/3\n', '2/3\n', '3/3\n']);
    expect(long.every((m) => m.text.length <= 4000 && m.response_type === 'ephemeral')).toBe(true);
    expect(long.map((m) => m.text.slice(4)).join('')).toBe('x'.repeat(10_000));
  });
});

describe('slack names', () => {
  it('maps prefixed Slack commands to registry names and back', () => {
    expect(slackCommandName('ops-', 'status')).toBe('/ops-status');
    expect(registryName('ops-', '/ops-status')).toBe('status');
    expect(registryName('', '/Status')).toBe('status');
    expect(registryName('ops-', '/status')).toBe('status');
    expect(userIdOf('slack:T1:U42')).toBe('U42');
    expect(userIdOf('discord:123')).toBeUndefined();
  });

  it('puts the prefix into command names mentioned in text, and only there', () => {
    const rename = commandRenamer('ops-', ['note', 'status', 'help']);
    expect(rename('/note add <text> · try /help or (/status 7d)')).toBe('/ops-note add <text> · try /ops-help or (/ops-status 7d)');
    expect(rename('/notes /note-taking a/status /burn')).toBe('/notes /note-taking a/status /burn');
    expect(commandRenamer('', ['note'])('/note')).toBe('/note');
  });
});

describe('recent keys', () => {
  it('reports a repeat within the TTL and forgets it after', () => {
    let now = 0;
    const keys = new RecentKeys(1000, 100, () => now);
    expect(keys.firstSeen('a')).toBe(true);
    expect(keys.firstSeen('a')).toBe(false);
    now = 1500;
    expect(keys.firstSeen('a')).toBe(true);
  });

  it('keeps at most max keys', () => {
    const keys = new RecentKeys(60_000, 2, () => 0);
    for (const k of ['a', 'b', 'c']) keys.firstSeen(k);
    expect(keys.firstSeen('a')).toBe(true);
    expect(keys.firstSeen('c')).toBe(false);
  });
});
