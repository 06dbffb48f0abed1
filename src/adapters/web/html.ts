import escapeHtml from 'escape-html';

/**
 * HTML built with a tagged template that escapes every value (docs/web.md, "Escaping"): `html\`<p>${note}</p>\``
 * renders a note's `<script>` as text. Only another `html` result (or an array of them) goes in as markup,
 * so nothing from outside can become markup by accident. The escaping itself is escape-html's (the one
 * Express uses): `& < > " '`, enough for element text and quoted attribute values, which is all the
 * pages use (no value goes into a script, a style or an unquoted attribute).
 */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = Html | string | number | boolean | undefined | null | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof Html) return v.markup;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
