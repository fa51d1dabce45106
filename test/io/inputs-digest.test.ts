/**
 * The inputs' key reuses a tenant file's recorded content hash, as git's index does, only while the
 * file's size, modification time, change time and inode are those recorded, and only when the
 * file had settled (changed at least two seconds) before the pass that recorded it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inputsDigest, inputStampsFile } from '../../lib/io/inputs-digest.mjs';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-inputs-digest-'));
  roots.push(root);
  mkdirSync(join(root, 'tenants'));
  writeFileSync(join(root, 'fleet.ts'), 'export default {};\n');
  writeFileSync(join(root, 'tenants', 'acme.ts'), 'export default { name: "acme", workers: 6 };\n');
  writeFileSync(join(root, 'tenants', 'beta.ts'), 'export default { name: "beta", workers: 2 };\n');
  return root;
}

/** Every file read: the key as it was before any record. */
const fresh = (root: string) => inputsDigest(root, 'compiler', new Map());
/** By the record, as the entry point computes it. */
const recorded = (root: string) => inputsDigest(root, 'compiler', undefined, inputStampsFile(root));

/** Puts another content hash in the record for `rel`, checksum made right: only a reuse sees it. */
function forgeRecordedHash(root: string, rel: string): void {
  const file = inputStampsFile(root);
  const text = readFileSync(file, 'utf8');
  const body = text
    .slice(text.indexOf('\n') + 1)
    .split('\n')
    .map((line) => (line.startsWith(`${rel}\0`) ? line.slice(0, line.lastIndexOf('\0') + 1) + createHash('sha256').update('forged').digest('base64') : line))
    .join('\n');
  writeFileSync(file, `${createHash('sha256').update(body).digest('hex')}\n${body}`);
}

const settle = () => new Promise((r) => setTimeout(r, 2100));

describe('the inputs key with recorded content hashes', () => {
  it('is the key of the files\' bytes, and reuses the recorded hash of a file whose stamps are unchanged instead of reading it', async () => {
    const root = repo();
    const key = fresh(root);
    await settle();
    expect(recorded(root)).toBe(key); // records
    expect(recorded(root)).toBe(key); // reuses
    forgeRecordedHash(root, 'tenants/acme.ts');
    expect(recorded(root)).not.toBe(key); // the forged hash was used: the file was not read
    expect(fresh(root)).toBe(key);
  }, 20_000);

  it('reads again a file edited with the same size and modification time, or replaced by a copy (another inode)', async () => {
    const root = repo();
    const acme = join(root, 'tenants', 'acme.ts');
    utimesSync(acme, 1_700_000_000, 1_700_000_000); // whole seconds: set again exactly below
    await settle();
    const unedited = recorded(root);
    const before = statSync(acme);
    writeFileSync(acme, 'export default { name: "acme", workers: 7 };\n');
    utimesSync(acme, 1_700_000_000, 1_700_000_000);
    expect(statSync(acme).mtimeMs).toBe(before.mtimeMs);
    expect(recorded(root)).toBe(fresh(root));
    expect(recorded(root)).not.toBe(unedited);

    await settle();
    recorded(root);
    writeFileSync(`${acme}.new`, readFileSync(acme));
    renameSync(`${acme}.new`, acme);
    forgeRecordedHash(root, 'tenants/acme.ts');
    expect(recorded(root)).toBe(fresh(root));
  }, 20_000);

  it('does not trust a hash recorded less than two seconds after the file changed, and trusts it once recorded again after that', async () => {
    const root = repo();
    const key = fresh(root);
    recorded(root); // the files changed just now: racy
    forgeRecordedHash(root, 'tenants/beta.ts');
    expect(recorded(root)).toBe(key);
    await settle();
    expect(recorded(root)).toBe(key); // recorded again, now settled
    forgeRecordedHash(root, 'tenants/beta.ts');
    expect(recorded(root)).not.toBe(key);
  }, 20_000);

  it('ignores a damaged or cut record, and writes it whole again', async () => {
    const root = repo();
    const key = fresh(root);
    await settle();
    recorded(root);
    const file = inputStampsFile(root);
    const whole = readFileSync(file, 'utf8');
    expect(whole).toContain('tenants/acme.ts\0');
    for (const damaged of [whole.replace('tenants/acme.ts', 'tenants/acmf.ts'), whole.slice(0, whole.length - 20), 'garbage', '']) {
      writeFileSync(file, damaged);
      expect(recorded(root)).toBe(key);
      const text = readFileSync(file, 'utf8');
      const body = text.slice(text.indexOf('\n') + 1);
      expect(text.slice(0, 64)).toBe(createHash('sha256').update(body).digest('hex'));
      expect(body.split('\n').filter((l) => l.includes('\0')).map((l) => l.split('\0')[0])).toEqual(['tenantctl input stamps 1', 'fleet.ts', 'tenants/acme.ts', 'tenants/beta.ts']);
    }
  }, 20_000);

  it('never records a link: a tenant file replaced by a link to the same bytes changes the key', async () => {
    const root = repo();
    await settle();
    const key = recorded(root);
    const acme = join(root, 'tenants', 'acme.ts');
    writeFileSync(join(root, 'acme-target.ts'), readFileSync(acme));
    rmSync(acme);
    symlinkSync(join(root, 'acme-target.ts'), acme);
    const linked = recorded(root);
    expect(linked).not.toBe(key);
    expect(linked).toBe(fresh(root));
    expect(readFileSync(inputStampsFile(root), 'utf8')).not.toContain('tenants/acme.ts\0');
  }, 20_000);
});
