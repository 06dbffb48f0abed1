/** One parsed pacifier line: bytes written so far of the image's total, and the recent rate. */
export interface WriteProgress {
  readonly bytes: number;
  readonly total: number;
  /** Bytes per second since the previous line that moved. */
  readonly rate: number;
}

const MB = 1024 * 1024;
// cdrecord pacifier (what `-as cdrecord` prints): "xorriso : UPDATE :    2 of    3 MB written (fifo 30%) [buf  50%]   1.5x."
const CDRECORD = /UPDATE\s*:\s*(\d+)\s+of\s+(\d+)\s+MB written/;
// xorriso's own pacifier, in case a drive or version uses it: "Writing: sector 1234 of 5678 ..."
const XORRISO = /sector\s+(\d+)\s+of\s+(\d+)/;

/**
 * Turns xorriso's stderr pacifier lines into byte counts. xorriso reports in whole MB (or sectors);
 * the total is the image size we already know, so bytes are clamped to it and never go backwards.
 */
export class ProgressParser {
  private bytes = 0;
  private lastAt: number;
  private lastBytes = 0;
  private rate = 0;

  constructor(
    private readonly total: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.lastAt = now();
  }

  /** A progress update for a pacifier line, or undefined for any other line. */
  parse(line: string): WriteProgress | undefined {
    let bytes: number | undefined;
    const cd = CDRECORD.exec(line);
    if (cd) bytes = Number(cd[1]) * MB;
    const xo = cd ? null : XORRISO.exec(line);
    if (xo) bytes = Number(xo[1]) * 2048;
    if (bytes === undefined) return undefined;
    return this.advance(bytes);
  }

  /** The final state once xorriso reports success: everything was written. */
  complete(): WriteProgress {
    return this.advance(this.total);
  }

  private advance(raw: number): WriteProgress {
    this.bytes = Math.max(this.bytes, Math.min(raw, this.total));
    const t = this.now();
    if (this.bytes > this.lastBytes && t > this.lastAt) {
      // The first movement is mostly xorriso filling its fifo, not the drive writing: no rate from it.
      this.rate = this.lastBytes === 0 ? 0 : Math.round(((this.bytes - this.lastBytes) * 1000) / (t - this.lastAt));
      this.lastAt = t;
      this.lastBytes = this.bytes;
    }
    return { bytes: this.bytes, total: this.total, rate: this.rate };
  }
}

/** Whether a stderr line is pacifier noise that should not also go out as a log event. */
export function isPacifierLine(line: string): boolean {
  return CDRECORD.test(line) || XORRISO.test(line);
}
