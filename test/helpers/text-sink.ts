import { Writable } from 'node:stream';

/** A stream that keeps what is written to it as text (`out`): a screen's terminal or pipe in tests. */
export class TextSink extends Writable {
  out = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.out += chunk.toString();
    cb();
  }
}
