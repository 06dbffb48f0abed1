import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Discord signs requests with Ed25519; node:crypto wants the raw 32-byte key wrapped in SPKI DER. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE = /^[0-9a-fA-F]{128}$/;
const TIMESTAMP = /^\d{1,12}$/;

export type Verifier = (signature: string | undefined, timestamp: string | undefined, body: Buffer) => boolean;

/**
 * Checks `X-Signature-Ed25519` over `timestamp + raw body`. The timestamp must also be recent
 * (`maxSkewSec`), so a captured request cannot be replayed later.
 */
export function ed25519Verifier(publicKeyHex: string, opts: { maxSkewSec?: number; now?: () => number } = {}): Verifier {
  const key: KeyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  const maxSkew = opts.maxSkewSec ?? 300;
  const now = opts.now ?? Date.now;
  return (signature, timestamp, body) => {
    if (!signature || !timestamp || !SIGNATURE.test(signature) || !TIMESTAMP.test(timestamp)) return false;
    if (Math.abs(now() / 1000 - Number(timestamp)) > maxSkew) return false;
    try {
      return verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signature, 'hex'));
    } catch {
      return false;
    }
  };
}
