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

/** Embedded defaults for `opsline console --demo`: the local user is admin; everything else is in memory. */
export function demoConfig(user = osUser()): ConfigInput {
  return {
    log: { level: 'warn' },
    console: { user },
    access: { users: [{ key: `console:${user}`, name: user, roles: ['admin'] }] },
    status: { table: 'demo.tasks', statusColumn: 'task_status', timeColumn: 'created_at', statuses: ['Success', 'Pending', 'Failed'] },
    // A harmless command on the in-process demo agent; it asks for confirmation so the whole flow shows.
    deploy: { targets: [{ name: 'demo', kind: 'command', agent: 'demo', command: 'hello', defaultRef: 'main', confirm: true }] },
    // A digest and an alert that print on the console within a minute, so a newcomer sees them (docs/schedules.md).
    schedules: [{ name: 'demo-digest', every: '40s', command: '/status 24h', post: { platform: 'console', channel: 'ops' } }],
    alerts: [{ name: 'demo-failures', every: '20s', window: '24h', status: 'Failed', above: 3, post: { platform: 'console', channel: 'ops' }, mention: [`console:${user}`] }],
  };
}
