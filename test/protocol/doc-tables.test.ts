import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BEGIN, END, protocolTables, withTables } from '../../src/protocol/doc-tables.js';
import { agentMessageSchema, burnResultSchema, helloInfoSchema, requestSchema, requestSchemas } from '../../src/protocol/index.js';

const doc = await readFile(new URL('../../docs/agent.md', import.meta.url), 'utf8');

describe("docs/agent.md's protocol tables", () => {
  it('are exactly what the schemas generate (run `npm run docs:protocol` after changing src/protocol/)', () => {
    const region = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);
    expect(region).toBe(protocolTables());
    expect(withTables(doc)).toBe(doc);
  });

  it('show what the agent checks: limits, defaults and optional fields', () => {
    const tables = protocolTables();
    expect(tables).toContain('| `id` | string | yes | 1–64 characters |');
    expect(tables).toContain('| `speed` | string | no | matches `^\\d+[kKmM]?$` |');
    expect(tables).toContain('| `verify` | boolean | no (default `true`) |');
    expect(tables).toContain('| `drives` | integer | yes | ≥ 0 |');
  });

  it("has an example session whose every line fits the schemas", () => {
    const block = /```json\n(→ [\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const lines = block.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) {
      const msg: unknown = JSON.parse(line.slice(2));
      const parsed = line.startsWith('→') ? requestSchema.safeParse(msg) : agentMessageSchema.safeParse(msg);
      expect(parsed.error?.issues ?? [], line).toEqual([]);
      if (parsed.data?.op === 'reply' && parsed.data.id === '7') expect(helloInfoSchema.safeParse(parsed.data.data).success).toBe(true);
      if (parsed.data?.op === 'done') expect(burnResultSchema.safeParse(parsed.data.result).success).toBe(true);
    }
  });

  it('change when a schema changes, so a stale document fails the first test', () => {
    const before = protocolTables();
    const burn = requestSchemas.burn;
    // A stand-in schema with one more field: the generated table must show it.
    (requestSchemas as Record<string, z.ZodType>).burn = burn.extend({ label: z.string().max(10) });
    try {
      expect(protocolTables()).not.toBe(before);
      expect(protocolTables()).toContain('| `label` | string | yes | 0–10 characters |');
    } finally {
      (requestSchemas as Record<string, z.ZodType>).burn = burn;
    }
  });
});
