import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/**
 * Text as the terminal rows it takes at `columns`: wrapped with wrap-ansi (wide characters and emoji
 * measured by string-width), so that each row fits and a redraw knows how far up to go.
 */
export function toRows(text: string, columns: number): string[] {
  return text.split('\n').flatMap((line) => (line === '' ? [''] : wrapAnsi(line, columns, { hard: true, trim: false }).split('\n')));
}

/**
 * How many screen rows `rows` (each written followed by a newline) take at `columns`: one each, or
 * more where a terminal narrowed since and re-flowed them (most terminals do, tmux too).
 */
export function screenRows(rows: readonly string[], columns: number): number {
  return rows.reduce((n, r) => n + Math.max(1, Math.ceil(stringWidth(r) / columns)), 0);
}
