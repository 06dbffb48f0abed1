import { isSlackBuiltin } from '../words/slack-builtins.js';
import type { DeclaredCommand } from './commands.js';

/** Names a template already gives a meaning to: an argument may not shadow them (docs/commands.md). */
export const RESERVED_ARG_NAMES: ReadonlySet<string> = new Set(['user', 'room', 'vault']);
/** And in an http command's reply template, the response's own values. */
export const RESERVED_HTTP_ARG_NAMES: ReadonlySet<string> = new Set(['body', 'status']);

/** A configured pattern must match the whole value, whatever anchors it was written with. */
export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** One refusal: the config key (`commands[2].name`) and why. */
export interface DeclaredIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Names every JavaScript object answers to: refused outright, though lookups here go through Maps. */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const SLOT = /\{([a-z][a-z0-9_]*)(?:\.[a-z][a-z0-9_]*)?\}/g;

/**
 * Checks that span one declared command's keys, and the set against the built-in commands and the
 * sources: every issue names the key a user must change (docs/commands.md, "Names").
 */
export function declaredIssues(commands: readonly DeclaredCommand[], builtins: readonly string[], sourceNames: readonly string[], plugins: ReadonlySet<string> = new Set()): DeclaredIssue[] {
  const issues: DeclaredIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path: ['commands', ...path], message });
  const builtin = new Set(builtins);
  const seen = new Map<string, number>();
  commands.forEach((c, i) => {
    if (plugins.has(c.name)) add([i, 'name'], `/${c.name} is a plugin's command (plugins:)`);
    else if (builtin.has(c.name)) add([i, 'name'], `/${c.name} is a built-in command`);
    else if (isSlackBuiltin(c.name)) add([i, 'name'], `/${c.name} is one of Slack's own commands; Slack would refuse the app`);
    else if (PROTOTYPE_NAMES.has(c.name)) add([i, 'name'], `${c.name} is a reserved name`);
    const first = seen.get(c.name);
    if (first !== undefined) add([i, 'name'], `duplicate command name ${c.name} (also commands[${first}])`);
    else seen.set(c.name, i);
    const argNames = new Set<string>();
    c.args.forEach((a, j) => {
      if (RESERVED_ARG_NAMES.has(a.name)) add([i, 'args', j, 'name'], `${a.name} is reserved for the caller's identity and secrets (user, room, vault)`);
      if (c.kind === 'http' && RESERVED_HTTP_ARG_NAMES.has(a.name)) add([i, 'args', j, 'name'], `${a.name} is reserved for the response in an http command's reply (body, status)`);
      if (PROTOTYPE_NAMES.has(a.name)) add([i, 'args', j, 'name'], `${a.name} is a reserved name`);
      if (argNames.has(a.name)) add([i, 'args', j, 'name'], `duplicate argument ${a.name}`);
      argNames.add(a.name);
      if ((!('type' in a) || a.type === 'string') && a.pattern !== undefined) {
        try {
          anchored(a.pattern);
        } catch {
          add([i, 'args', j, 'pattern'], 'not a valid regular expression');
        }
      }
      if ('type' in a && a.type === 'enum' && a.default !== undefined && !a.values.includes(a.default)) add([i, 'args', j, 'default'], 'not one of values');
    });
    const known = new Set([...argNames, 'user', 'room']);
    const unknownSlots = (key: string, text: string | undefined, extra: readonly string[] = []) => {
      for (const m of (text ?? '').matchAll(SLOT)) if (!known.has(m[1]!) && !extra.includes(m[1]!)) add([i, key], `{${m[1]}} names no argument (${[...known, ...extra].join(', ')})`);
    };
    if (c.approvers && !c.confirm && c.approvers.length === 0) add([i, 'approvers'], 'name at least one role');
    if (c.kind === 'http') {
      unknownSlots('url', c.url);
      // A caller value may fill a path or a query, never choose the host the request goes to.
      // A {vault:path#key} reference holds / and #: read the host part with each one as a plain word.
      if (/^[a-z]+:\/\/[^/?#]*\{/i.test(c.url.replace(/\{vault:[^{}]*\}/g, 'vault'))) add([i, 'url'], 'the scheme and host are configured text: a {…} value may only fill the path or the query');
      unknownSlots('body', c.body);
      for (const [k, v] of Object.entries(c.headers)) unknownSlots(`headers.${k}`, v);
      unknownSlots('reply', c.reply, ['body', 'status']);
    }
    if (c.kind === 'sql') {
      // Read-only by construction too: one SELECT (or WITH … SELECT); the source's grants are the real guard.
      if (!/^\s*(SELECT|WITH)\b/i.test(c.query) || /;\s*\S/.test(c.query)) add([i, 'query'], 'one SELECT statement (or WITH … SELECT)');
      if (!sourceNames.includes(c.source)) add([i, 'source'], `no source named ${c.source} under sources:`);
      // Every argument is a bound parameter: a query names them as :name, never inside its text.
      if (SLOT.test(c.query)) add([i, 'query'], 'bind arguments as :name parameters; {…} is not substituted in SQL');
      SLOT.lastIndex = 0;
      for (const m of c.query.matchAll(/(?<![:\w]):([a-z][a-z0-9_]*)/g)) if (!argNames.has(m[1]!) && !['user', 'room'].includes(m[1]!)) add([i, 'query'], `:${m[1]} names no argument`);
    }
  });
  return issues;
}
