import { z } from 'zod';
import { ERROR_CODES, agentMessageSchemas } from './messages.js';
import { requestSchemas } from './requests.js';
import * as r from './results.js';

/**
 * The field tables of docs/agent.md, generated from the schemas themselves (via zod's JSON Schema
 * output) so the specification and the code cannot drift: `npm run docs:protocol` rewrites the
 * marked region, and test/protocol/doc-tables.test.ts fails when it is stale.
 */

export const BEGIN = '<!-- protocol-tables:begin (generated from src/protocol/ by `npm run docs:protocol`; do not edit by hand) -->';
export const END = '<!-- protocol-tables:end -->';

type Json = { [k: string]: unknown };

/** The answer to each request, in words; the shapes have their own tables below. */
const ANSWERS: Record<keyof typeof requestSchemas, string> = {
  hello: '`reply`, data: [hello](#shape-reply-data-hello)',
  heartbeat: 'nothing (it only tells the agent this client is alive)',
  images: '`reply`, data: an array of [image](#shape-reply-data-image)',
  drives: '`reply`, data: an array of [drive](#shape-reply-data-drive)',
  burn: '`accepted`, then `progress` and `log` events and one `done` with a [burn result](#shape-burn-result)',
  status: '`reply`, data: a [burn status](#shape-reply-data-burn-status) or a [run status](#shape-reply-data-run-status)',
  cancel: '`reply`, data: [cancel](#shape-reply-data-cancel); the job then ends with `done`',
  eject: '`reply`, data: [eject](#shape-reply-data-eject)',
  run: '`accepted`, then `log` events and one `done` with a [run result](#shape-run-result)',
};

/** Named shapes: each gets its own table, and fields holding one link to it. */
const SHAPES: [string, string, z.ZodType][] = [
  ['shape-reply-data-hello', 'Reply data: hello', r.helloInfoSchema],
  ['shape-reply-data-image', 'Reply data: image', r.imageInfoSchema],
  ['shape-reply-data-drive', 'Reply data: drive', r.driveInfoSchema],
  ['shape-reply-data-cancel', 'Reply data: cancel', r.cancelReplySchema],
  ['shape-reply-data-eject', 'Reply data: eject', r.ejectResultSchema],
  ['shape-reply-data-burn-status', 'Reply data: burn status', r.burnStatusSchema],
  ['shape-reply-data-run-status', 'Reply data: run status', r.runStatusSchema],
  ['shape-progress', 'Progress (in a running status)', r.progressSchema],
  ['shape-burn-result', 'Burn result', r.burnResultSchema],
  ['shape-run-result', 'Run result', r.runResultSchema],
];

export function protocolTables(): string {
  const out: string[] = [BEGIN, '', '### Requests (client → agent)', ''];
  out.push('Every key not listed is refused (`bad_request`). "default" means the field may be left out.', '');
  for (const [op, schema] of Object.entries(requestSchemas)) {
    out.push(`#### \`${op}\``, '', table(schema, 'input'), '', `Answer: ${ANSWERS[op as keyof typeof requestSchemas]}.`, '');
  }
  out.push('### Messages (agent → client)', '', 'A client should ignore keys it does not know; the bot does.', '');
  for (const [op, schema] of Object.entries(agentMessageSchemas)) out.push(`#### \`${op}\``, '', table(schema, 'output'), '');
  out.push('### Shapes inside answers', '');
  for (const [anchor, title, schema] of SHAPES) out.push(`#### ${title}`, '', `<a id="${anchor}"></a>`, '', table(schema, 'output'), '');
  out.push('### Error codes', '', '| code | sent for | meaning |', '|---|---|---|');
  for (const [code, e] of Object.entries(ERROR_CODES)) out.push(`| \`${code}\` | ${e.ops} | ${e.meaning} |`);
  out.push('', END);
  return out.join('\n');
}

/** Replaces the generated region of a document; throws when the markers are missing. */
export function withTables(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/agent.md has no protocol-tables markers');
  return doc.slice(0, a) + protocolTables() + doc.slice(b + END.length);
}

function table(schema: z.ZodType, io: 'input' | 'output'): string {
  const js = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  const variants = (js.oneOf ?? js.anyOf) as Json[] | undefined;
  if (variants) return variants.map((v) => `One of, by \`${discriminator(v)}\`:\n\n${rows(v)}`).join('\n\n');
  return rows(js);
}

function discriminator(v: Json): string {
  const props = v.properties as Record<string, Json>;
  const [name, p] = Object.entries(props).find(([, p]) => p.const !== undefined) ?? ['?', {}];
  return `${name}: ${JSON.stringify(p.const)}`;
}

function rows(obj: Json): string {
  const props = (obj.properties ?? {}) as Record<string, Json>;
  const required = new Set((obj.required ?? []) as string[]);
  const lines = ['| field | type | required | limits | meaning |', '|---|---|---|---|---|'];
  for (const [name, p] of Object.entries(props)) {
    const need = required.has(name) ? 'yes' : p.default !== undefined ? `no (default \`${JSON.stringify(p.default)}\`)` : 'no';
    lines.push(`| \`${name}\` | ${typeOf(p)} | ${need} | ${limits(p)} | ${cell(String(p.description ?? ''))} |`);
  }
  return lines.join('\n');
}

function typeOf(p: Json): string {
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``;
  if (Array.isArray(p.enum)) return p.enum.map((e) => `\`${JSON.stringify(e)}\``).join(' \\| ');
  const alts = (p.anyOf ?? p.oneOf) as Json[] | undefined;
  if (alts) return alts.map(typeOf).join(' or ');
  if (p.type === 'array') return `array of ${typeOf(p.items as Json)}`;
  if (p.format === 'date-time') return 'string (ISO 8601 UTC time)';
  // A record (a declared command's `args`): names to values, not one of the named shapes.
  if (p.type === 'object' && p.additionalProperties !== undefined && p.properties === undefined) return `object of ${typeOf(p.additionalProperties as Json)} by name`;
  if (p.type === 'object') return shapeLink(p);
  if (Array.isArray(p.type)) return p.type.join(' or ');
  return String(p.type ?? 'any');
}

/** An object field links to the named shape it has the same properties as. */
function shapeLink(p: Json): string {
  const keys = Object.keys((p.properties ?? {}) as Json).join(',');
  const named = SHAPES.find(([, , s]) => Object.keys((z.toJSONSchema(s, { io: 'output' }) as Json & { properties?: Json }).properties ?? {}).join(',') === keys);
  return named ? `[${named[1].replace('Reply data: ', '').replace(/ \(.*/, '').toLowerCase()}](#${named[0]})` : 'object';
}

function limits(p: Json): string {
  const out: string[] = [];
  if (p.minLength !== undefined || p.maxLength !== undefined) out.push(`${p.minLength ?? 0}–${p.maxLength ?? '∞'} characters`);
  if (typeof p.pattern === 'string' && p.format !== 'date-time') out.push(`matches \`${p.pattern}\``);
  // zod's integers carry the safe-integer range; only a real lower bound is worth a word.
  if (typeof p.minimum === 'number' && p.minimum > Number.MIN_SAFE_INTEGER) out.push(`≥ ${p.minimum}`);
  if (p.exclusiveMinimum !== undefined) out.push(`> ${String(p.exclusiveMinimum)}`);
  return cell(out.join('; '));
}

/** Table cells: a pipe would end the cell. */
function cell(s: string): string {
  return s.replaceAll('|', '\\|');
}
