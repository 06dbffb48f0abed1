import { z } from 'zod';
import { ROLES } from '../words/roles.js';
import { COMMAND_NAME } from '../words/names.js';
import { runCommandEntry } from './declared-run.js';

/**
 * The `commands:` and `sources:` config keys (docs/commands.md): commands declared in config, turned
 * into ordinary CommandDefs by commands/declared/build.ts. Every object is strict; `kind` discriminates:
 * `http`, `sql`, and `run` (src/config/declared-run.ts).
 */

const role = z.enum(ROLES);
const name = z.string().regex(COMMAND_NAME, 'lower-case letters, digits and -, starting with a letter, at most 32 characters');
const argName = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case letters, digits and _, starting with a letter, at most 32 characters');
const description = z.string().min(1).max(100);

const common = {
  name: argName,
  description: z.string().max(100).optional(),
  required: z.boolean().optional(),
};

/** One typed argument; its `type` names a resolver of src/core/resolvers.ts (`enum` is `string` with choices). */
export const declaredArg = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('string'), pattern: z.string().max(500).optional(), maxLength: z.number().int().min(1).max(200).optional(), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('enum'), values: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, . _ -')).min(1).max(100), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('integer'), min: z.number().int().optional(), max: z.number().int().optional(), default: z.number().int().optional() }),
  z.strictObject({ ...common, type: z.literal('duration'), min: z.number().int().min(1).optional(), max: z.number().int().optional(), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('user') }),
  z.strictObject({ ...common, type: z.literal('agent'), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('drive'), default: z.string().optional() }),
]);
export type DeclaredArg = z.output<typeof declaredArg>;

const base = {
  name,
  description,
  usage: z.string().max(200).optional(),
  examples: z.array(z.string().max(200)).max(10).default([]),
  args: z.array(declaredArg).max(10).default([]),
  // Required: a declared command nobody is named to run would otherwise be open or dead (docs/commands.md).
  roles: z.array(role).min(1, 'name at least one role that may run it'),
  confirm: z.boolean().default(false),
  approvers: z.array(role).min(1).optional(),
};

const header = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'an HTTP header name');

export const httpCommand = z.strictObject({
  ...base,
  kind: z.literal('http'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL'),
  headers: z.record(header, z.string().max(2000)).default({}),
  body: z.string().max(20_000).optional(),
  timeoutSec: z.number().min(0.1).max(120).default(10),
  // `{queue}: {body.depth} waiting`; without it the status and the first lines of the body.
  reply: z.string().max(2000).optional(),
});

export const sqlCommand = z.strictObject({
  ...base,
  kind: z.literal('sql'),
  source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a name under sources:'),
  query: z.string().min(1).max(10_000),
  maxRows: z.number().int().min(1).max(1000).default(50),
  timeoutMs: z.number().int().min(100).max(600_000).default(5000),
});

/** `kind` decides the rest; add a member here for a new kind. */
export const declaredCommand = z.discriminatedUnion('kind', [httpCommand, sqlCommand, runCommandEntry]);
export type DeclaredCommand = z.output<typeof declaredCommand>;
export type HttpCommand = z.output<typeof httpCommand>;
export type SqlCommand = z.output<typeof sqlCommand>;

/** A read-only data source for `sql` commands, with its own user: never the bot's own (docs/commands.md#sources). */
export const source = z
  .strictObject({
    url: z.string().regex(/^mysql:\/\/[^/\s]+@[^/\s]+\/[^\s]+$/, 'mysql://user:password@host:port/database').optional(),
    // With `vault`, the user and password come from Vault's database engine, as for mysql.vault (docs/vault.md).
    host: z.string().min(1).max(255).optional(),
    port: z.number().int().min(1).max(65535).default(3306),
    database: z.string().regex(/^[A-Za-z0-9_$-]{1,64}$/, 'a database name').optional(),
    vault: z.strictObject({ role: z.string().regex(/^[A-Za-z0-9_-]+$/), mount: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'a Vault path').default('database') }).optional(),
    poolSize: z.number().int().min(1).max(20).default(2),
  })
  .superRefine((s, ctx) => {
    if (s.url && (s.vault || s.host || s.database)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give either url, or host, database and vault' });
    else if (!s.url && !s.vault) ctx.addIssue({ code: 'custom', path: [], message: 'needs url (a user of its own) or vault: { role } with host and database' });
    else if (s.vault && (!s.host || !s.database)) ctx.addIssue({ code: 'custom', path: s.host ? ['database'] : ['host'], message: 'required with vault' });
  });
export type Source = z.output<typeof source>;

export const declaredCommands = z.array(declaredCommand).max(200);
export const sources = z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'letters, digits, _ and -'), source);
