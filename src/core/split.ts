/**
 * A reply longer than a platform takes in one message becomes numbered messages ("1/4", "2/4", …),
 * split at line boundaries; a single line longer than a message is split hard, nothing lost. The
 * adapter sends the first in place and the rest under it (docs/architecture.md, "Long replies").
 * Works on rendered text: escapes and mention markup already have their final length, and a cut
 * never falls inside `<…>` or `&…;`. A fenced code block (```) cut in two is closed and reopened.
 */

const FENCE = '```';
/** Room for the number line ("12/34\n") and a fence closed and reopened. */
const OVERHEAD = 10 + 2 * (FENCE.length + 1);

/** The parts of `text`, each at most `max` characters; one part (unnumbered) when it fits. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const budget = Math.max(20, max - OVERHEAD);
  const bodies: string[] = [];
  let lines: string[] = [];
  let size = 0;
  let inFence = false;
  let reopen = false;
  const close = () => {
    if (lines.length === 0) return;
    const body = (reopen ? `${FENCE}\n` : '') + lines.join('\n') + (inFence ? `\n${FENCE}` : '');
    bodies.push(body);
    reopen = inFence;
    lines = [];
    size = 0;
  };
  for (const line of text.split('\n')) {
    for (const piece of hardSplit(line, budget)) {
      if (size > 0 && size + 1 + piece.length > budget) close();
      lines.push(piece);
      size += (size > 0 ? 1 : 0) + piece.length;
    }
    if (line.trimStart().startsWith(FENCE)) inFence = !inFence;
  }
  close();
  return bodies.map((b, i) => `${i + 1}/${bodies.length}\n${b}`);
}

/** A line cut into pieces of at most `max`, at white space where there is some near the end. */
export function hardSplit(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const cut = cutAt(rest, max);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

function cutAt(s: string, max: number): number {
  let cut = max;
  const space = s.lastIndexOf(' ', max);
  if (space > max * 0.8) cut = space + 1;
  // Never inside a mention or link (`<@U1>`) or an entity (`&amp;`): those would show half-written.
  const open = s.lastIndexOf('<', cut - 1);
  if (open > s.lastIndexOf('>', cut - 1) && open > 0 && cut - open < 64) cut = open;
  const amp = s.lastIndexOf('&', cut - 1);
  if (amp > s.lastIndexOf(';', cut - 1) && amp > 0 && cut - amp < 10) cut = amp;
  // Never between the two halves of a surrogate pair.
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return Math.max(1, cut);
}
