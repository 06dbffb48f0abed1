import { describe, expect, it } from 'vitest';
import { discordText, plainBody, replyBody } from '../../../src/adapters/discord/render.js';
import { mention, msg } from '../../../src/core/message.js';

describe('discord message rendering', () => {
  it('shows user text literally: no disguised links, no formatting, no pings', () => {
    const body = replyBody({ text: 'see [docs](https://evil.example) **now** @everyone', visibility: 'channel' });
    // An escaped bracket shows the link text and its real URL instead of a clickable disguise.
    expect(body.content).toContain('see \\[docs](https://evil.example)');
    expect(body.content).toContain('\\*\\*now\\*\\*');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.flags).toBeUndefined();
  });

  it('renders fields as bold labels and keeps ephemeral replies private', () => {
    const body = replyBody({ text: 'You are bob', fields: [{ label: 'key', value: 'discord:1234567' }], visibility: 'ephemeral' });
    expect(body).toEqual({ content: 'You are bob\n**key:** discord:1234567', flags: 64, allowed_mentions: { parse: [] } });
  });

  it('cuts content to the 2000 characters Discord accepts and lets only named users be notified', () => {
    const body = plainBody(`<@80351110224678912> ${'x'.repeat(3000)}`, { users: ['80351110224678912'] });
    expect(body.content).toHaveLength(2000);
    expect(body.content.startsWith('<@80351110224678912> ')).toBe(true);
    // Never cut silently (issue 27): the cut says so.
    expect(body.content.endsWith('… (cut: 3021 characters in all)')).toBe(true);
    expect(body.allowed_mentions).toEqual({ parse: [], users: ['80351110224678912'] });
  });

  it('mentions Discord principals by id, anyone else by display name', () => {
    expect(discordText(msg`for ${mention({ key: 'discord:80351110224678912', name: 'bob' })}`)).toBe('for <@80351110224678912>');
    expect(discordText(msg`for ${mention({ key: 'console:bob', name: 'bob_x' })}`)).toBe('for @bob\\_x');
  });
});
