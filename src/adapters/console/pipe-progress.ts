/** A progress status as src/jobs/progress.ts renders it: `writing ████████░░░░ 42% · …` (the bar is core's `bar`). */
const PROGRESS = /^(\S+) [█░]+ (\d{1,3})%/;

/**
 * In a pipe nothing is redrawn, so a progress status is printed each time it passes another 10% of
 * its phase, as CI logs do (the phase's start is a milestone already, so 0–9% is not printed).
 * Other statuses are printed only when they end (Screen.endLive).
 */
export class PipeProgress {
  /** Per status message: the phase and tenth printed last. */
  readonly #printed = new Map<string, { phase: string; tenth: number }>();

  /** True when `text`, the status `id` shows now, should be printed as a line. */
  due(id: string, text: string): boolean {
    const m = PROGRESS.exec(text);
    if (!m) return false;
    const phase = m[1] ?? '';
    const tenth = Math.floor(Math.min(100, Number(m[2])) / 10);
    const last = this.#printed.get(id);
    if (tenth === 0 || (last?.phase === phase && last.tenth >= tenth)) return false;
    this.#printed.set(id, { phase, tenth });
    return true;
  }

  end(id: string): void {
    this.#printed.delete(id);
  }
}
