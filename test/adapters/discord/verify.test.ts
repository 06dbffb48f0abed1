import { describe, expect, it } from 'vitest';
import { ed25519Verifier } from '../../../src/adapters/discord/verify.js';
import { signHeaders, signingKeys } from '../../helpers/discord-request.js';

describe('Ed25519 request verification', () => {
  const keys = signingKeys();
  const body = Buffer.from('{"type":1,"id":"1"}');
  const signed = signHeaders(keys, body.toString());
  const sig = signed['x-signature-ed25519'] ?? '';
  const ts = signed['x-signature-timestamp'] ?? '';

  it('accepts a request signed with the application key', () => {
    expect(ed25519Verifier(keys.publicKeyHex)(sig, ts, body)).toBe(true);
  });

  it('rejects a signature made with another key', () => {
    const other = signHeaders(signingKeys(), body.toString(), ts);
    expect(ed25519Verifier(keys.publicKeyHex)(other['x-signature-ed25519'], ts, body)).toBe(false);
  });

  it('rejects a tampered body and a changed timestamp', () => {
    const verify = ed25519Verifier(keys.publicKeyHex);
    expect(verify(sig, ts, Buffer.from('{"type":1,"id":"2"}'))).toBe(false);
    expect(verify(sig, String(Number(ts) + 1), body)).toBe(false);
  });

  it('rejects missing or malformed headers and stale timestamps', () => {
    const verify = ed25519Verifier(keys.publicKeyHex);
    expect(verify(undefined, ts, body)).toBe(false);
    expect(verify(sig, undefined, body)).toBe(false);
    expect(verify('zz'.repeat(64), ts, body)).toBe(false);
    expect(verify(sig.slice(2), ts, body)).toBe(false);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const stale = signHeaders(keys, body.toString(), old);
    expect(verify(stale['x-signature-ed25519'], old, body)).toBe(false);
    expect(ed25519Verifier(keys.publicKeyHex, { maxSkewSec: 7200 })(stale['x-signature-ed25519'], old, body)).toBe(true);
  });
});
