import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function messages(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

// The rule in eslint.config.js keeps every Redis client on the factory's profiles (docs/architecture.md).
describe('lint: Redis clients come from src/redis/connect.ts', () => {
  it('refuses `new Redis(` in src, commands and bench', async () => {
    const code = "import { Redis } from 'ioredis';\nexport const r = new Redis('redis://127.0.0.1:6379');\n";
    for (const file of ['src/services/stray.ts', 'commands/stray.ts', 'bench/stray.ts'])
      expect(await messages(code, file), file).toEqual(['make Redis clients with connectRedis() from src/redis/connect.ts']);
  });

  it('refuses a renamed constructor, a duplicate and BullMQ options written in place', async () => {
    const code = [
      "import IORedis from 'ioredis';",
      "import { Queue } from 'bullmq';",
      "export const a = new IORedis();",
      'export const b = a.duplicate();',
      "export const q = new Queue('q', { connection: { url: 'redis://127.0.0.1:6379' } });",
      '',
    ].join('\n');
    expect(await messages(code, 'src/services/stray.ts')).toEqual([
      'make Redis clients with connectRedis() from src/redis/connect.ts',
      "make another Redis client with connectRedis() (a duplicate keeps the first one's name and profile)",
      'give BullMQ bullConnection() from src/redis/connect.ts, not its own options',
    ]);
  });

  it('lets the factory itself, and clients made through it, pass', async () => {
    const factory = "import { Redis } from 'ioredis';\nexport const r = new Redis({});\n";
    expect(await messages(factory, 'src/redis/connect.ts')).toEqual([]);
    const user = "import { connectRedis } from '../redis/connect.js';\nexport const r = connectRedis('redis://127.0.0.1:6379', { role: 'x', profile: 'command' });\n";
    expect(await messages(user, 'src/services/fine.ts')).toEqual([]);
  });
});
