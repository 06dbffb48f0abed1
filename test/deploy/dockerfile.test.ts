import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// hadolint is not packaged for Debian here, so the Dockerfile's structure is checked directly.
const repo = join(import.meta.dirname, '..', '..');

interface Stage {
  readonly name: string;
  readonly from: string;
  readonly lines: readonly string[];
}

/** Instructions (continuations joined, comments dropped), grouped by FROM. */
function stages(text: string): Stage[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: { name: string; from: string; lines: string[] }[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2] ?? `#${out.length}`, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const all = stages(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
const byName = new Map(all.map((s) => [s.name, s]));
/** A stage's instructions with those of the stages it is built FROM, oldest first. */
const chain = (s: Stage): string[] => [...(byName.has(s.from) ? chain(byName.get(s.from)!) : []), ...s.lines];
const last = (s: Stage, op: string) => chain(s).filter((l) => l.toUpperCase().startsWith(`${op} `)).at(-1);

describe('Dockerfile', () => {
  it('is multi-stage: build, production deps, runtime, agent and bot (the default)', () => {
    expect(all.map((s) => s.name)).toEqual(['build', 'deps', 'runtime', 'agent', 'bot']);
    for (const s of all) if (!byName.has(s.from)) expect(s.from, `${s.name} pins its base`).toMatch(/^[\w./-]+:\d[\w.-]*$/);
  });

  it('runs the final images as a non-root user with opsline as the entrypoint', () => {
    for (const name of ['agent', 'bot']) {
      const s = byName.get(name)!;
      expect(last(s, 'USER'), name).toMatch(/^USER\s+opsline$/);
      expect(last(s, 'ENTRYPOINT'), name).toBe('ENTRYPOINT ["opsline"]');
    }
    expect(chain(byName.get('runtime')!).join('\n')).toMatch(/useradd --system --uid 10001/);
  });

  it('installs only production dependencies in what ships, and copies the build and those deps into it', () => {
    const shipped = ['deps', 'runtime', 'agent', 'bot'].flatMap((n) => byName.get(n)!.lines);
    for (const l of shipped.filter((x) => /\bnpm (ci|install|i)\b/.test(x))) expect(l).toMatch(/--omit=dev/);
    const runtime = byName.get('runtime')!.lines;
    expect(runtime).toContain('COPY --from=deps /app/node_modules ./node_modules');
    expect(runtime).toContain('COPY --from=build /src/dist ./dist');
    expect(byName.get('build')!.lines).toContain('RUN npx tsc -p tsconfig.build.json');
  });

  it('gives the agent xorriso and the cdrom group, and documents the device mapping', () => {
    const agent = byName.get('agent')!.lines.join('\n');
    expect(agent).toMatch(/apt-get install -y --no-install-recommends xorriso/);
    expect(agent).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(agent).toMatch(/usermod -aG cdrom opsline/);
    expect(readFileSync(join(repo, 'Dockerfile'), 'utf8')).toMatch(/--device \/dev\/sr0 --group-add cdrom/);
  });

  it('copies only files that exist, and keeps secrets and local state out of the build context', () => {
    for (const l of all.flatMap((s) => s.lines).filter((x) => /^COPY\s+(?!--from)/.test(x))) {
      const sources = l.split(/\s+/).slice(1, -1);
      for (const src of sources) expect(existsSync(join(repo, src)), l).toBe(true);
    }
    expect(all.flatMap((s) => s.lines).some((l) => /^ADD\s/.test(l))).toBe(false);
    const ignore = readFileSync(join(repo, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', '.git', 'opsline.yaml', 'deploy/keys']) expect(ignore).toContain(p);
  });
});
