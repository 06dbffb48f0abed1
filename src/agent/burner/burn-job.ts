import type { DriveConfig } from '../drives.js';
import { ejectDrive, isPseudo } from '../drives.js';
import type { ResolvedImage } from '../images.js';
import type { BurnOutcome, BurnResult, Phase, Progress } from '../../protocol/index.js';
import { verifyBurn } from './verify.js';
import { XorrisoWrite } from './xorriso.js';

export type JobEvent = { op: 'progress'; progress: Progress } | { op: 'log'; line: string };

export interface BurnJobOptions {
  readonly jobId: string;
  /** The ledger's start time, so the result and `status` agree on it. */
  readonly startedAt: string;
  readonly image: ResolvedImage;
  readonly drive: DriveConfig;
  readonly verify: boolean;
  readonly eject: boolean;
  readonly speed?: string | undefined;
  readonly xorriso?: string | undefined;
  readonly onEvent: (e: JobEvent) => void;
  readonly onPid?: (pid: number | undefined) => void;
}

/** Minimum gap between verify progress events; reading is fast and chatty. */
const VERIFY_PROGRESS_MS = 250;

/** One burn: write with xorriso, read back and compare, eject. `run()` never rejects. */
export class BurnJob {
  progress: Progress | undefined;
  private write: XorrisoWrite | undefined;
  private readonly abort = new AbortController();
  private cancelled = false;

  constructor(private readonly o: BurnJobOptions) {}

  cancel(): void {
    this.cancelled = true;
    this.write?.cancel();
    this.abort.abort();
  }

  async run(): Promise<BurnResult> {
    try {
      return await this.steps();
    } catch (err) {
      if (this.cancelled) return this.result('cancelled', 'cancelled');
      return this.result('failed', `burn failed: ${(err as Error).message}`);
    }
  }

  private async steps(): Promise<BurnResult> {
    const { image, drive } = this.o;
    // A cancel can arrive between `accepted` and the start (docs/agent.md): then xorriso never runs.
    if (this.cancelled) return this.result('cancelled', 'cancelled');
    const speed = this.o.speed ?? drive.speed;
    this.log(`writing ${image.name} (${image.size} bytes, volume ${image.volumeId || '(none)'}) to ${drive.name}${speed ? ` at speed ${speed}` : ''}`);
    this.emit('writing', 0, 0);
    this.write = new XorrisoWrite({
      device: drive.device,
      imagePath: image.path,
      total: image.size,
      speed,
      xorriso: this.o.xorriso,
      onSpawn: (pid) => this.o.onPid?.(pid),
      onProgress: (p) => this.emit('writing', p.bytes, p.rate),
      onLog: (line) => this.log(line),
    });
    if (this.cancelled) this.write.cancel();
    const written = await this.write.done;
    this.o.onPid?.(undefined);
    if (!written.ok) return this.result(written.cancelled ? 'cancelled' : 'failed', written.message);
    if (!this.o.verify) return this.result('ok', 'written (not verified, as asked)');

    let last = 0;
    let lastBytes = 0;
    this.emit('verifying', 0, 0);
    const v = await verifyBurn(image.path, drive.device, image.size, {
      signal: this.abort.signal,
      onProgress: (read) => {
        const t = Date.now();
        if (t - last < VERIFY_PROGRESS_MS) return;
        this.emit('verifying', read, last ? Math.round(((read - lastBytes) * 1000) / (t - last)) : 0);
        last = t;
        lastBytes = read;
      },
    });
    this.emit('verifying', image.size, 0);
    const digests = { imageSha256: v.imageSha256, driveSha256: v.driveSha256 };
    if (!v.ok) {
      const why = v.short ? 'the drive holds fewer bytes than the image' : 'SHA-256 of the drive differs from the image';
      return this.result('verify_mismatch', `verify failed: ${why}`, { ...digests, verified: false });
    }
    this.log(`verify OK: sha256 ${v.imageSha256}`);
    if (!this.o.eject) return this.result('ok', 'written and verified (not ejected, as asked)', { ...digests, verified: true });
    this.emit('ejecting', 0, 0);
    const ej = await ejectDrive(drive, this.o.xorriso);
    this.log(ej.message);
    const note = isPseudo(drive) ? 'pseudo-drive: eject is a no-op' : ej.message;
    return this.result('ok', `written and verified; ${note}`, { ...digests, verified: true, ejected: ej.ejected });
  }

  private emit(phase: Phase, bytes: number, rate: number): void {
    this.progress = { phase, bytes, total: this.o.image.size, rate };
    this.o.onEvent({ op: 'progress', progress: this.progress });
  }

  private log(line: string): void {
    this.o.onEvent({ op: 'log', line });
  }

  private result(outcome: BurnOutcome, message: string, extra: Partial<BurnResult> = {}): BurnResult {
    return {
      outcome,
      ok: outcome === 'ok',
      message,
      image: this.o.image.name,
      drive: this.o.drive.name,
      bytes: this.o.image.size,
      verified: false,
      ejected: false,
      ...extra,
      startedAt: this.o.startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
}
