import { userInfo } from 'node:os';
import type { ConfigInput } from './schema.js';

/** The local OS user name, as used in `console:<user>` principal keys. */
export function osUser(): string {
  try {
    return userInfo().username.replace(/[\s:]/g, '_') || 'user';
  } catch {
    return process.env.USER ?? 'user';
  }
}

/**
 * Embedded defaults for `opsline console --demo`: the local user is admin; everything else is in memory.
 * With `webPort`, the web view listens there on 127.0.0.1 only (docs/web.md, "In the demo").
 */
export function demoConfig(user = osUser(), webPort?: number): ConfigInput {
  return {
    log: { level: 'warn' },
    console: { user },
    access: { users: [{ key: `console:${user}`, name: user, roles: ['admin'] }] },
    status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
    // A harmless command on the in-process demo agent; it asks for confirmation so the whole flow shows.
    deploy: { targets: [{ name: 'demo', kind: 'command', agent: 'demo', command: 'hello', defaultRef: 'main', confirm: true }] },
    // A digest and an alert that print on the console within a minute, so a newcomer sees them (docs/schedules.md).
    schedules: [{ name: 'demo-digest', every: '40s', command: '/status 24h', post: { platform: 'console', channel: 'ops' } }],
    // No publicUrl: chat lines keep their shape (no "full output" links); the console prints the address.
    ...(webPort !== undefined ? { web: { port: webPort, host: '127.0.0.1' } } : {}),
    alerts: [{ name: 'demo-failures', every: '20s', window: '24h', status: 'Failed', above: 3, post: { platform: 'console', channel: 'ops' }, mention: [`console:${user}`] }],
  };
}
