import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

// Where a CURVE key pair may be given as `{ file: … }`: the bot's client pair and the agent's server pair.
const KEY_PAIR_PATHS: readonly (readonly string[])[] = [['clientKeys'], ['agent', 'keys']];

/**
 * Replaces `{ file: path }` at a key-pair position with the pair that `opsline keys` wrote there
 * (`public: "…"` and `secret: "…"`), so secrets need not be copied into the environment by hand
 * (docs/configuration.md, "Keys from files"). A relative path is relative to the config file. The secret
 * joins the redacted values; a file that cannot be read or parsed is one issue at that key, and its
 * path is in `failed` so that validation adds nothing there.
 */
export function resolveKeyFiles(raw: unknown, source: string, issues: string[], secrets: string[]): { config: unknown; failed: string[] } {
  const failed: string[] = [];
  if (!isRecord(raw)) return { config: raw, failed };
  const out: Record<string, unknown> = { ...raw };
  for (const path of KEY_PAIR_PATHS) {
    const parent = path.length === 1 ? out : copyChild(out, path[0]!);
    const key = path[path.length - 1]!;
    const node = parent?.[key];
    if (!parent || !isRecord(node) || !Object.hasOwn(node, 'file')) continue;
    const where = path.join('.');
    const extra = Object.keys(node).filter((k) => k !== 'file');
    if (typeof node.file !== 'string' || node.file === '' || extra.length) {
      issues.push(`${where}: give either { file: <path> } alone or { public, secret }`);
      failed.push(where);
      continue;
    }
    const file = resolve(dirname(source), node.file);
    try {
      const pair: unknown = parse(readFileSync(file, 'utf8'));
      if (!isRecord(pair) || typeof pair.public !== 'string' || typeof pair.secret !== 'string') throw new Error('no public and secret keys in it');
      parent[key] = { public: pair.public, secret: pair.secret };
      secrets.push(pair.secret);
    } catch (err) {
      issues.push(`${where}.file: cannot use ${file}: ${reason(err as NodeJS.ErrnoException)}`);
      failed.push(where);
    }
  }
  return { config: out, failed };
}

function reason(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'no such file (`opsline keys <name>` writes one)';
  if (err.code === 'EACCES') return 'permission denied (the key must be readable by the user opsline runs as; see `opsline keys --group`)';
  return err.message.split('\n')[0] ?? String(err);
}

function copyChild(obj: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const child = obj[key];
  if (!isRecord(child)) return undefined;
  const copy = { ...child };
  obj[key] = copy;
  return copy;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
