import { printable } from './printable.js';

/**
 * Someone named in a message: who (a platform and its user id) and the display name to show
 * wherever a real mention cannot be (another platform, a thread name, the console, a log).
 * Each adapter renders it its own way (`<@U…>`, `<@id>`, `@name`): docs/architecture.md, "Messages".
 */
export interface Mention {
  readonly type: 'mention';
  readonly platform: string;
  readonly id: string;
  readonly name: string;
}

/** A piece of a message: plain text (never markup) or a mention. */
export type Part = string | Mention;

/**
 * What a thread's root, status, milestone or final line says: plain text, or text with typed mentions.
 * It travels as data (between modules, and through the relay as JSON) and is turned into a platform's
 * markup only by that platform's renderer, so nothing is ever encoded into a string to be found again.
 */
export type Message = string | readonly Part[];

/** The mention of a principal (`slack:<team>:<user>`, `discord:<id>`, `console:<user>`): platform, id and name. */
export function mention(who: { readonly key: string; readonly name: string }): Mention {
  const platform = who.key.slice(0, Math.max(0, who.key.indexOf(':')));
  return { type: 'mention', platform, id: who.key.slice(who.key.lastIndexOf(':') + 1), name: who.name };
}

export function isMention(p: Part): p is Mention {
  return typeof p !== 'string';
}

/**
 * A message written as a template: `` msg`burning ${image} for ${mention(who)}` ``. Mentions stay
 * typed parts; every other value becomes text.
 */
export function msg(strings: TemplateStringsArray, ...values: readonly (Part | number | boolean | Message)[]): readonly Part[] {
  const parts: Part[] = [];
  strings.forEach((s, i) => {
    push(parts, s);
    if (i < values.length) {
      const v = values[i];
      if (Array.isArray(v)) for (const p of v as readonly Part[]) push(parts, p);
      else push(parts, typeof v === 'object' ? (v as Mention) : String(v));
    }
  });
  return parts;
}

/** The parts of a message. */
export function partsOf(m: Message): readonly Part[] {
  return typeof m === 'string' ? (m === '' ? [] : [m]) : m;
}

/** Several messages as one, in order. */
export function concat(...ms: readonly Message[]): readonly Part[] {
  const parts: Part[] = [];
  for (const m of ms) for (const p of partsOf(m)) push(parts, p);
  return parts;
}

/** How one platform writes text and mentions; `render` puts the pieces together. */
export interface MessageRenderer {
  text(s: string): string;
  mention(m: Mention): string;
}

export function render(m: Message, r: MessageRenderer): string {
  return partsOf(m)
    .map((p) => (typeof p === 'string' ? r.text(p) : r.mention(p)))
    .join('');
}

/** The message as plain text, each mention as `@name`: the console, thread names, logs, comparisons. */
export function plainText(m: Message): string {
  return render(m, { text: (s) => s, mention: (x) => `@${x.name}` });
}

/** The same message with every text and name made `printable` (src/core/printable.ts). */
export function printableMessage(m: Message): Message {
  if (typeof m === 'string') return printable(m);
  return m.map((p) => (typeof p === 'string' ? printable(p) : { ...p, name: printable(p.name) }));
}

/** A thread's final line as a person reads it: the requester's mention, then the text. */
export function finalLine(requester: { readonly key: string; readonly name: string }, text: Message): readonly Part[] {
  return concat([mention(requester), ' '], text);
}

/** True when two messages say the same (same texts, same mentions). */
export function sameMessage(a: Message | undefined, b: Message | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return JSON.stringify(concat(a)) === JSON.stringify(concat(b));
}

function push(parts: Part[], p: Part): void {
  if (typeof p === 'string') {
    if (p === '') return;
    const last = parts.length - 1;
    if (typeof parts[last] === 'string') parts[last] = `${parts[last] as string}${p}`;
    else parts.push(p);
  } else parts.push({ type: 'mention', platform: p.platform, id: p.id, name: p.name });
}
