import type { ArgValue } from '../../core/define-command.js';

/** An interaction option as both the gateway (discord.js `options.data`) and HTTP payloads carry it. */
export interface RawOption {
  readonly name: string;
  readonly type: number;
  readonly value?: unknown;
  readonly focused?: boolean;
  readonly options?: readonly RawOption[];
}

export interface ReadOptions {
  readonly subcommand?: string;
  readonly values: Readonly<Record<string, ArgValue>>;
  /** The option being typed (autocomplete only). */
  readonly focused?: { readonly name: string; readonly value: string };
}

const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;

/**
 * Flattens the option tree into the subcommand and its named values. Values stay as Discord sent
 * them; the dispatcher validates them with the command's own ArgSpecs, so nothing is trusted here.
 */
export function readOptions(options: readonly RawOption[] | undefined): ReadOptions {
  const list = options ?? [];
  const sub = list.find((o) => o.type === SUBCOMMAND || o.type === SUBCOMMAND_GROUP);
  // opsline commands have no subcommand groups; a group is read as its name so the dispatcher refuses it.
  const leaves = sub ? (sub.type === SUBCOMMAND ? (sub.options ?? []) : []) : list;
  const entries: [string, ArgValue][] = [];
  let focused: ReadOptions['focused'];
  for (const o of leaves) {
    if (typeof o.value === 'string' || typeof o.value === 'number' || typeof o.value === 'boolean') entries.push([o.name, o.value]);
    if (o.focused) focused = { name: o.name, value: String(o.value ?? '') };
  }
  // fromEntries defines own properties, so an option named `__proto__` stays a name the parser refuses.
  return { subcommand: sub?.name, values: Object.fromEntries(entries), focused };
}
