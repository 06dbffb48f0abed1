import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/adapters/slack/manifest.js';
import { ImageError } from '../../src/agent/images.js';
import { ConfigError } from '../../src/config/load.js';
import { DEVICE_ERRORS, OPERATOR_ERRORS } from '../../src/core/error-catalogue.js';
import { OperatorError } from '../../src/core/errors.js';
import { CheckFailure } from '../../src/doctor/types.js';
import { WorkerStopping } from '../../src/services/queue/worker-stopping.js';
import { BusyError, DeadlineError, toDbError } from '../../src/services/db/errors.js';
import { DeviceError } from '../../src/services/devices/errors.js';
import { vaultError } from '../../src/services/secrets/vault-errors.js';

describe('the error classes a person can meet carry a catalogue code', () => {
  it('operator errors: config, manifest, doctor, worker, MySQL deadlines and busy pools, Vault', () => {
    const errors: [Error, string][] = [
      [new ConfigError('opsline.yaml', ['mysql.url: required']), 'config_invalid'],
      [new ManifestError(['too many commands']), 'manifest_invalid'],
      [new WorkerStopping('stopping'), 'worker_stopping'],
      [new DeadlineError(2000), 'mysql_deadline'],
      [new BusyError(500), 'mysql_busy'],
      [vaultError('http://v:8200', 'login', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }), 'vault_unreachable'],
      [vaultError('http://v:8200', 'login', { response: { statusCode: 403, body: { errors: ['permission denied'] } } }), 'vault_refused'],
      [vaultError('http://v:8200', 'renew', { response: { statusCode: 500, body: { errors: ['sealed'] } } }), 'vault_failed'],
    ];
    for (const [err, code] of errors) {
      expect(err, err.name).toBeInstanceOf(OperatorError);
      expect((err as OperatorError).code, err.name).toBe(code);
      expect(Object.hasOwn(OPERATOR_ERRORS, code)).toBe(true);
    }
    // The agent's doctor throws it too, and the agent imports nothing of core: coded, not an OperatorError.
    const check = new CheckFailure('table notes is missing');
    expect(check.code).toBe('check_failed');
    expect(Object.hasOwn(OPERATOR_ERRORS, check.code)).toBe(true);
  });

  it('the agent refuses an image with a device code, and the client keeps it next to the command code', () => {
    const refused = new ImageError('no image named x.iso');
    expect(refused.code).toBe('bad_image');
    expect(Object.hasOwn(DEVICE_ERRORS, refused.code)).toBe(true);
    expect(DeviceError.fromAgent('a1', refused.code, refused.message)).toMatchObject({ code: 'bad_input', agentCode: 'bad_image', message: 'no image named x.iso' });
  });

  it('MySQL failures become the command code the catalogue says, with its text', () => {
    expect(toDbError(new BusyError(500))).toMatchObject({ code: OPERATOR_ERRORS.mysql_busy.becomes, message: 'database busy (every connection stayed busy for 500 ms); nothing was sent, try again shortly' });
    expect(toDbError(Object.assign(new Error('x'), { code: 'ER_NO_SUCH_TABLE' }))).toMatchObject({ code: 'not_configured', message: expect.stringContaining('(ER_NO_SUCH_TABLE)') });
  });
});
