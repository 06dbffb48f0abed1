import type { z } from 'zod';
import { PROTOCOL_VERSIONS } from './requests.js';

/** Largest request an agent accepts; libzmq drops the connection of a peer that sends more (docs/agent.md). */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Largest message the bot accepts from an agent; a longer one is dropped, the connection stays. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Why a frame was not taken: `version` is a well-formed message of another protocol version. */
export type DropReason = 'too_large' | 'not_utf8' | 'not_json' | 'version' | 'schema';

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string; readonly id?: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One frame → one typed message: strict UTF-8, JSON, `v`, then the schema. Never throws; the
 * caller decides whether a bad frame gets an `error` answer (agent) or is dropped (bot).
 */
export function decodeFrame<S extends z.ZodType>(frame: Uint8Array, schema: S, maxBytes: number): Decoded<z.output<S>> {
  if (frame.length > maxBytes) return { ok: false, reason: 'too_large', detail: `${frame.length} bytes, more than ${maxBytes}` };
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(frame));
  } catch (err) {
    return err instanceof SyntaxError ? { ok: false, reason: 'not_json', detail: 'not JSON' } : { ok: false, reason: 'not_utf8', detail: 'not UTF-8' };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'schema', detail: 'a message is a JSON object' };
  const id = idOf(raw);
  const v = Object.hasOwn(raw, 'v') ? (raw as { v: unknown }).v : undefined;
  if (typeof v !== 'number' || !PROTOCOL_VERSIONS.includes(v)) return { ok: false, reason: 'version', detail: `protocol versions ${PROTOCOL_VERSIONS.join(' and ')} only`, ...(id ? { id } : {}) };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
    return { ok: false, reason: 'schema', detail, ...(id ? { id } : {}) };
  }
  return { ok: true, value: parsed.data };
}

/** JSON text of a message, or undefined when it would exceed `maxBytes` (the caller reports that instead). */
export function encodeFrame(msg: unknown, maxBytes: number): string | undefined {
  const text = JSON.stringify(msg);
  return Buffer.byteLength(text, 'utf8') > maxBytes ? undefined : text;
}

/** The `id` of a frame that failed its schema, so its sender can still be answered (or its request failed). */
function idOf(raw: object): string | undefined {
  if (!Object.hasOwn(raw, 'id')) return undefined;
  const id = (raw as { id: unknown }).id;
  return typeof id === 'string' && id.length > 0 ? id.slice(0, 64) : undefined;
}
