import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../src/words');

describe('src/words is the ground floor', () => {
  it('imports nothing but its own files, so core, protocol and config may all import it', () => {
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const from = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
      for (const spec of from) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[^/]+\.js$/);
    }
  });

  it('is where the protocol reads its words: the protocol imports nothing of the bot but src/words', () => {
    const dir = join(import.meta.dirname, '../../src/protocol');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/\bfrom\s+['"](\.\.\/[^'"]+)['"]/g)) expect(m[1], `src/protocol/${file}`).toMatch(/^\.\.\/words\/[^/]+\.js$/);
    }
  });
});
