import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listImages, resolveImage } from '../../src/agent/images.js';
import { agentFixture, type AgentFixture } from '../helpers/agent-fixture.js';
import { makeIso } from '../helpers/iso.js';

let f: AgentFixture;
let outside: string;

beforeAll(async () => {
  f = await agentFixture(['d1']);
  outside = await mkdtemp(join(tmpdir(), 'opsline-outside-'));
  await makeIso(f.imagesDir, 'good.iso', { bytes: 300_000, volumeId: 'GOOD_VOL' });
  // A real ISO outside the directory, reachable only through a symlink.
  await makeIso(outside, 'secret.iso', { volumeId: 'SECRET' });
  await symlink(join(outside, 'secret.iso'), join(f.imagesDir, 'escape.iso'));
  // A symlink that stays inside is fine: the real path is what counts.
  await symlink(join(f.imagesDir, 'good.iso'), join(f.imagesDir, 'alias.iso'));
  await writeFile(join(f.imagesDir, 'fake.iso'), Buffer.alloc(64 * 1024, 0x41));
  await writeFile(join(f.imagesDir, 'tiny.iso'), 'not an image');
  await mkdir(join(f.imagesDir, 'folder.iso'));
  await f.start();
});
afterAll(async () => {
  await f.cleanup();
  await rm(outside, { recursive: true, force: true });
});

const refused: [string, string, RegExp][] = [
  ['path traversal', '../etc/passwd.iso', /not a valid image name/],
  ['absolute path', '/etc/passwd.iso', /not a valid image name/],
  ['absolute path to a real image', '', /not a valid image name/],
  ['NUL byte', 'good.iso\0.iso', /not a valid image name/],
  ['shell metacharacters', 'good;rm -rf ~.iso', /not a valid image name/],
  ['command substitution', '$(reboot).iso', /not a valid image name/],
  ['backticks and pipes', '`id`|x.iso', /not a valid image name/],
  ['a leading dash (an option to xorriso)', '-dev.iso', /not a valid image name/],
  ['no .iso suffix', 'good.img', /not a valid image name/],
  ['a symlink pointing outside the directory', 'escape.iso', /outside the images directory/],
  ['a non-ISO file named .iso', 'fake.iso', /not an ISO 9660 image/],
  ['a file too short to be an image', 'tiny.iso', /not an ISO 9660 image/],
  ['a directory named .iso', 'folder.iso', /not a regular file/],
  ['a missing image', 'missing.iso', /no image named missing.iso/],
];

describe('image names', () => {
  it.each(refused)('refuses %s', async (_what, name, why) => {
    const n = name || join(f.imagesDir, 'good.iso');
    await expect(resolveImage(f.imagesDir, n)).rejects.toThrow(why);
  });

  it('accepts a valid image and reads volume id and size from the primary volume descriptor', async () => {
    const img = await resolveImage(f.imagesDir, 'good.iso');
    expect(img).toMatchObject({ name: 'good.iso', volumeId: 'GOOD_VOL' });
    expect(img.size % 2048).toBe(0);
    expect(img.size).toBeGreaterThan(300_000);
    expect((await resolveImage(f.imagesDir, 'alias.iso')).path).toBe(img.path);
  });

  it('lists only valid images', async () => {
    expect((await listImages(f.imagesDir)).map((i) => i.name)).toEqual(['alias.iso', 'good.iso']);
  });

  it('refuses bad names over the wire too, before any drive is touched', async () => {
    const c = f.client();
    for (const image of ['../etc/passwd.iso', '/etc/passwd.iso', 'a\0b.iso', 'x;y.iso', 'escape.iso', 'fake.iso']) {
      await expect(c.burn('a1', { jobId: `bad-${Math.random().toString(36).slice(2)}`, image, drive: 'd1' })).rejects.toMatchObject({
        code: 'bad_input',
        agentCode: 'bad_image',
      });
    }
    await expect(c.burn('a1', { jobId: 'x-1', image: 'good.iso', drive: 'nope' })).rejects.toMatchObject({ code: 'not_found', agentCode: 'unknown_drive' });
    expect((await c.drives('a1'))[0]).not.toHaveProperty('busyWith');
  });
});
