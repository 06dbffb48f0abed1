import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runKeys } from '../../src/cli/keys.js';
import type { ConfigError} from '../../src/config/load.js';
import { loadConfigFile } from '../../src/config/load.js';

// Key pairs read from the files `opsline keys` writes, as docs/configuration.md shows.
describe('keys from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsline-keyfiles-'));

  it('reads clientKeys and agent.keys from `opsline keys` files, relative to the config, and redacts the secrets', async () => {
    expect(await runKeys({ name: 'bot', dir, force: false, out: new PassThrough() })).toBe(0);
    expect(await runKeys({ name: 'agent1', dir, force: false, out: new PassThrough() })).toBe(0);
    const botPub = readFileSync(join(dir, 'bot.pub'), 'utf8').trim();
    const agentPub = readFileSync(join(dir, 'agent1.pub'), 'utf8').trim();
    const file = join(dir, 'opsline.yaml');
    writeFileSync(
      file,
      [
        'redis: { url: redis://127.0.0.1:6379 }',
        `agents: [{ name: a1, endpoint: "tcp://127.0.0.1:5555", serverKey: "${agentPub}" }]`,
        'clientKeys: { file: bot.key }',
        'agent:',
        '  bind: tcp://127.0.0.1:5555',
        `  keys: { file: ${join(dir, 'agent1.key')} }`,
        `  allowedClients: ["${botPub}"]`,
        '  imagesDir: /srv/images',
        '  stateDir: /var/lib/opsline',
      ].join('\n'),
    );
    const loaded = loadConfigFile(file, {})!;
    expect(loaded.config.clientKeys?.public).toBe(botPub);
    expect(loaded.config.clientKeys?.secret).toHaveLength(40);
    expect(loaded.config.agent?.keys.public).toBe(agentPub);
    expect(loaded.secrets).toEqual(expect.arrayContaining([loaded.config.clientKeys?.secret, loaded.config.agent?.keys.secret]));
  });

  it('names the key and the reason when the file is missing, not a key pair, or mixed with inline keys', () => {
    writeFileSync(join(dir, 'junk.key'), 'hello: world\n');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'clientKeys: { file: missing.key }\nagent: { keys: { file: junk.key, public: x }, bind: "tcp://0.0.0.0:1", allowedClients: [], imagesDir: /i, stateDir: /s }\n');
    const err = (() => {
      try {
        loadConfigFile(file, {});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clientKeys\.file: cannot use .*missing\.key: no such file/),
        'agent.keys: give either { file: <path> } alone or { public, secret }',
      ]),
    );
    // One line per key file, true to the docs: nothing about `file` being unknown or `public` missing.
    expect(err.issues.filter((i) => i.startsWith('clientKeys') || i.startsWith('agent.keys'))).toHaveLength(2);
    writeFileSync(file, 'clientKeys: { file: junk.key }\n');
    expect(() => loadConfigFile(file, {})).toThrow(/clientKeys\.file: cannot use .*junk\.key: no public and secret keys in it/);
  });
});
