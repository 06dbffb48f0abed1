import { describe, expect, it } from 'vitest';
import { builtInCompleters, rank } from '../../../src/adapters/discord/completions.js';
import { buildConfig } from '../../../src/config/load.js';
import type { Services } from '../../../src/app/services.js';

describe('discord autocomplete sources', () => {
  it('ranks names starting with the typed text first, case-insensitively, at most 25', () => {
    expect(rank(['staging', 'site', 'prod-site', 'Sandbox'], 'S')).toEqual(['staging', 'site', 'Sandbox', 'prod-site']);
    expect(rank(Array.from({ length: 40 }, (_, i) => `img${i}.iso`), '')).toHaveLength(25);
    expect(rank(['x'.repeat(101), 'ok', 'ok'], '')).toEqual(['ok']);
  });

  it('offers image names from every agent and deploy targets from config', async () => {
    const config = buildConfig({ deploy: { targets: [{ name: 'site', kind: 'webhook', url: 'https://ci.example.com/x' }] } });
    const burns = {
      images: async () => [
        { agent: 'a1', images: [{ name: 'release-1.4.iso', size: 1, volumeId: 'R' }] },
        { agent: 'a2', images: [], error: 'agent a2 is not answering' },
        { agent: 'a3', images: [{ name: 'debian.iso', size: 1, volumeId: 'D' }] },
      ],
    };
    const c = builtInCompleters(config, { burns } as unknown as Services);
    expect(await c.images?.('')).toEqual(['release-1.4.iso', 'debian.iso']);
    expect(await c.targets?.('')).toEqual(['site']);
    expect(await builtInCompleters(buildConfig({}), {} as Services).images?.('')).toEqual([]);
  });
});
