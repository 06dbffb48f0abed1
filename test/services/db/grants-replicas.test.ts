import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrantRoles } from '../../../src/core/grants/grant-roles.js';
import { TrackedGrantVersion } from '../../../src/services/grant-version.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mysql.js';
import { REDIS_URL, redisPrefix } from '../../helpers/redis.js';
import { TestAdapter, users } from '../../helpers/test-adapter.js';

const ADA = 'console:ada';
const VIC = 'console:vic';
let db: TestDatabase;
let redis: ReturnType<typeof redisPrefix>;
let a: TestAdapter;
let b: TestAdapter;

/** Two replicas: separate processes' worth of state (dispatcher, access, caches), one MySQL and one Redis. */
beforeAll(async () => {
  db = await createTestDatabase();
  redis = redisPrefix();
  const config = { mysql: { url: db.appUrl() }, redis: { url: REDIS_URL, prefix: redis.prefix }, access: { users: users({ [ADA]: ['admin'], [VIC]: ['viewer'] }) } };
  a = await TestAdapter.create({ config });
  b = await TestAdapter.create({ config });
});
afterAll(async () => {
  await a?.app.stop();
  await b?.app.stop();
  await redis?.cleanup();
  await db?.drop();
});

/** A replica's grant version, as buildApp made it (src/app/access-setup.ts). */
function trackedVersion(t: TestAdapter): TrackedGrantVersion {
  const v = t.app.access.sources.find((s): s is GrantRoles => s instanceof GrantRoles)?.version;
  if (!(v instanceof TrackedGrantVersion)) throw new Error('no tracked grant version');
  return v;
}

describe('grants across replicas (MySQL, append-only)', () => {
  it('a grant written on one replica counts on the other, and a revoke ends it there from the next command on', async () => {
    expect(await b.text(VIC, '/note add not yet')).toMatch(/needs the writer role/);
    const granted = await a.text(ADA, '/access grant console:vic writer 1h');
    expect(granted).toMatch(/^grant #\d+: console:vic has the writer role until \S+Z; \/access revoke \d+ ends it$/);
    const id = /^grant #(\d+)/.exec(granted)![1];
    expect(await b.text(VIC, '/note add on replica b')).toMatch(/^note #\d+ saved$/);
    expect(b.audit.records.at(-1)).toMatchObject({ outcome: 'ok', roleSource: `grant:${id}` });
    // Replica b now has the version in memory (Redis client-side caching): its next decision would cost no round trip.
    const bVersion = trackedVersion(b);
    if (!bVersion.tracking) await once(bVersion, 'tracking');
    expect(await b.text(VIC, '/note add from memory')).toMatch(/^note #\d+ saved$/);
    await bVersion.sync();
    expect(bVersion.peek()).toBeDefined();
    expect(await a.text(ADA, `/access revoke ${id}`)).toMatch(new RegExp(`^grant #${id} revoked`));
    expect(await b.text(VIC, '/note add after the revoke')).toBe('/note add needs the writer role; your key is console:vic (an admin can grant it)');
    expect(await b.text(ADA, `/access revoke ${id}`)).toBe(`grant #${id} has already been revoked`);
    // Append-only: the grant row is untouched; the revoke is a row of its own.
    expect(await db.sql('SELECT principal_key, role FROM access_grants')).toEqual([{ principal_key: VIC, role: 'writer' }]);
    expect(await db.sql('SELECT grant_id, revoked_by FROM access_revocations')).toEqual([{ grant_id: Number(id), revoked_by: ADA }]);
  });

  it('the grants survive a restart of a replica', async () => {
    const id = /^grant #(\d+)/.exec(await a.text(ADA, '/access grant console:vic operator 2h'))![1];
    await b.app.stop();
    b = await TestAdapter.create({ config: { mysql: { url: db.appUrl() }, redis: { url: REDIS_URL, prefix: redis.prefix }, access: { users: users({ [ADA]: ['admin'], [VIC]: ['viewer'] }) } } });
    expect(await b.text(ADA, '/access list')).toMatch(new RegExp(`^#${id} operator for console:vic, 2h left`));
  });
});
