import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export interface SigningKeys {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key in hex, as the Discord developer portal shows it. */
  readonly publicKeyHex: string;
}

/** A fresh Ed25519 key pair, as Discord holds one per application. */
export function signingKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, publicKeyHex: Buffer.from(String(jwk.x), 'base64url').toString('hex') };
}

/** The two headers Discord sends: an Ed25519 signature over timestamp + raw body. */
export function signHeaders(keys: SigningKeys, body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
  const signature = sign(null, Buffer.from(timestamp + body, 'utf8'), keys.privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}

export interface PostResult {
  readonly status: number;
  readonly body: string;
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs `body` to the interactions endpoint with the given headers (signed or not). */
export async function postInteraction(url: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json };
}
