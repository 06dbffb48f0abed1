import { pino, type Logger, type DestinationStream } from 'pino';
import { escapeOf, UNSAFE } from './core/printable.js';

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACT_KEYS = ['token', 'botToken', 'appToken', 'signingSecret', 'secret', 'secretId', 'password', 'sentinelPassword', 'publicKey', 'authorization', 'Authorization', 'response_url', 'responseUrl'];
const REDACT_PATHS = REDACT_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LogOptions {
  readonly level: string;
  /** Exact secret values (from ${ENV} substitution) to scrub from every line. */
  readonly secrets?: readonly string[];
  readonly destination?: DestinationStream;
}

/** The one pino root; logs go to stderr so the console adapter owns stdout. */
export function createLogger(opts: LogOptions): Logger {
  const secrets = [...(opts.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => scrub(jsonSafe(line), secrets) },
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

// Deeper than pino's redact paths reach: a secret-named key at any depth of the written JSON line
// (an HTTP client error carries its request headers several levels down), and bearer/Slack tokens.
const KEY_VALUE = new RegExp(`"(${REDACT_KEYS.join('|')})":"(?:[^"\\\\]|\\\\.)*"`, 'gi');
// The same key inside JSON that a library logged as a string, one level down (Slack's Socket Mode client logs
// each envelope whole at debug level: `\"token\":\"…\"`, `\"response_url\":\"…\"`).
const NESTED_KEY_VALUE = new RegExp(String.raw`\\"(${REDACT_KEYS.join('|')})\\":\\"(?:[^"\\]|\\[^"\\]|\\\\(?:\\.|[^"\\]))*\\"`, 'gi');
const TOKENS = /\b(Bearer|Bot) [A-Za-z0-9._~+/-]{8,}=*|\bxox[abposr]-[A-Za-z0-9-]{6,}|\bxapp-[A-Za-z0-9-]{6,}/g;
// Credentials that travel inside URLs (an HTTP client error carries its URL): a Discord interaction
// token (`/webhooks/<app>/<token>/…`, `/interactions/<id>/<token>/callback`, valid 15 minutes) and
// the secret tail of a Slack response_url (`/commands|actions/<team>/<id>/<secret>`, valid 30 minutes).
const URL_TOKENS = /(\/webhooks\/\d+\/|\/interactions\/\d+\/)[A-Za-z0-9._-]+|(\/(?:commands|actions)\/[A-Z0-9]+\/)[0-9]+\/[A-Za-z0-9_-]+/g;

/** Redacts secret-named keys, bearer/bot/Slack tokens, tokens in platform URLs and the given exact values from one written line. */
export function scrub(line: string, secrets: readonly string[] = []): string {
  let out = line
    .replace(KEY_VALUE, '"$1":"[redacted]"')
    .replace(NESTED_KEY_VALUE, String.raw`\"$1\":\"[redacted]\"`)
    .replace(TOKENS, (m) => (m.startsWith('B') ? `${m.split(' ')[0]} [redacted]` : '[redacted]'))
    .replace(URL_TOKENS, (_m, discord: string | undefined, slack: string | undefined) => `${discord ?? slack ?? ''}[redacted]`);
  for (const s of secrets) {
    out = out.split(s).join('[redacted]');
    const json = JSON.stringify(s).slice(1, -1);
    if (json !== s) out = out.split(json).join('[redacted]');
  }
  return out;
}

const UNSAFE_RAW = new RegExp(`[${UNSAFE}]`, 'g');

/**
 * A JSON line with no unsafe character as it is: pino escapes C0 in strings, but C1 (U+009B is CSI),
 * DEL and bidi overrides from a caller, a note or an agent's output would reach a terminal or
 * journalctl raw. Each becomes its JSON escape, so the values logged are the same.
 */
export function jsonSafe(line: string): string {
  return line.replace(UNSAFE_RAW, escapeOf);
}
