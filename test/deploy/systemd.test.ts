import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const units = join(import.meta.dirname, '..', '..', 'deploy', 'systemd');
const read = (name: string) => readFileSync(join(units, name), 'utf8');
const settings = (text: string) => text.split('\n').filter((l) => /^[A-Z]\w*=/.test(l));

describe('systemd units', () => {
  it('are the agent, the bot and the worker', () => {
    expect(readdirSync(units).sort()).toEqual(['opsline-agent.service', 'opsline-bot.service', 'opsline-worker.service']);
  });

  for (const name of ['opsline-agent.service', 'opsline-bot.service', 'opsline-worker.service']) {
    it(`${name}: a dedicated user, secrets from an EnvironmentFile, hardening, a stop within the spec's 10 s`, () => {
      const s = settings(read(name));
      for (const line of ['User=opsline', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'ProtectHome=yes', 'ReadWritePaths=/var/lib/opsline', 'CapabilityBoundingSet='])
        expect(s, line).toContain(line);
      expect(s.some((l) => l.startsWith('EnvironmentFile='))).toBe(true);
      expect(s.find((l) => l.startsWith('TimeoutStopSec='))).toBe('TimeoutStopSec=15');
      expect(s.find((l) => l.startsWith('ExecStart='))).toMatch(/^ExecStart=\/usr\/local\/bin\/opsline (agent|start|worker)$/);
    });
  }

  it('gives the agent the cdrom group and the drive, and the bot SIGHUP as reload', () => {
    expect(settings(read('opsline-agent.service'))).toEqual(expect.arrayContaining(['SupplementaryGroups=cdrom', 'DeviceAllow=/dev/sr0 rw']));
    expect(settings(read('opsline-bot.service'))).toContain('ExecReload=/bin/kill -HUP $MAINPID');
    expect(settings(read('opsline-bot.service'))).toContain('PrivateDevices=yes');
  });

  // systemd-analyze verify runs on the units as the npm package ships them, against a packed install:
  // test/deploy/pack.test.ts.
});
