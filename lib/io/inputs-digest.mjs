// The raw bytes generated/ is a function of, besides tenantctl's code: fleet.ts and everything in
// tenants/. Plain JavaScript (types in inputs-digest.d.mts) because the CLI's entry point
// (bin/early-scan.mjs) computes it before the bundle loads, to answer a re-synth with nothing to
// do without loading the CLI; lib/workspace/inputs-key.ts computes it from here, so the two can
// never differ.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * SHA-256 (hex) of `compilerKey` and the input files of the repository at `root`. `read`, when
 * given, receives the bytes of each regular file hashed (fleet.ts, tenants/*; a link is left to
 * the reader, which reports it) by repository-relative path, so that compiling after it reads no
 * file twice and compiles exactly the bytes the key was computed from.
 */
export function inputsDigest(root, compilerKey, read) {
  const h = createHash('sha256').update(compilerKey).update('\0');
  const file = (rel, symlink) => {
    h.update(rel).update(symlink ? '\0link\0' : '\0file\0');
    try {
      const bytes = readFileSync(join(root, rel));
      h.update(bytes);
      if (read && !symlink) read.set(rel, bytes);
    } catch {
      h.update('\0missing');
    }
    h.update('\0');
  };
  let fleetIsLink = false;
  try {
    fleetIsLink = lstatSync(join(root, 'fleet.ts')).isSymbolicLink();
  } catch {
    // missing: hashed as such
  }
  file('fleet.ts', fleetIsLink);
  let entries = [];
  try {
    entries = readdirSync(join(root, 'tenants'), { withFileTypes: true });
  } catch {
    // no tenants/
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.isDirectory()) h.update(`tenants/${e.name}\0dir\0`);
    else file(`tenants/${e.name}`, e.isSymbolicLink());
  }
  return h.digest('hex');
}
