// The raw bytes generated/ is a function of, besides tenantctl's code: fleet.ts and everything in
// tenants/. Plain JavaScript (types in inputs-digest.d.mts) because the CLI's entry point
// (bin/early-scan.mjs) computes it before the bundle loads, to answer a re-synth with nothing to
// do without loading the CLI; lib/workspace/inputs-key.ts computes it from here, so the two can
// never differ.
//
// The key is a hash of each file's content hash. Reading and hashing every tenant file (1,000 of
// them, a tenth of a re-synth with nothing to do at 1,000 tenants) is avoided as git's index
// avoids it: a file's content hash is recorded with its size, modification time, change time and
// inode (inputStampsFile(), checksummed) and reused while those are
// unchanged. Any write to a file sets its change time, which no tool can set back; a file changed
// less than two seconds before the pass that recorded it is hashed again (git's racy-timestamp
// rule: an edit in the same clock tick as the record would leave its stamps as they were).
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceCacheDir } from './workspace-cache.mjs';

/** A stamp is trusted only when the file last changed this long before the pass that recorded it. */
const SETTLE_MS = 2000;
const RECORD_VERSION = 1;

/** Where the content hashes of `<root>`'s input files are recorded with their stamps (in the user cache: workspace-cache.mjs). */
export function inputStampsFile(root) {
  return join(workspaceCacheDir(root), 'inputs-stamps.json');
}

/**
 * SHA-256 (hex) of `compilerKey` and the input files of the repository at `root`.
 *
 * `files`, when given, receives each regular file hashed (fleet.ts, tenants/*; a link is left to
 * the reader, which reports it) by repository-relative path: its content hash (SHA-256, base64)
 * and, when it was read for the key, its bytes. The compiler takes them (lib/io/load-modules.ts):
 * it looks a file's value up by that hash, and reads a file only when its value is not cached,
 * checking that the bytes are the ones hashed. A regular file whose stamps are those recorded in
 * `stamps` (a file, inputStampsFile) is not read: its recorded content hash is used. With
 * `stamps`, the hashes computed are recorded there (written whole, or not at all: it only saves time).
 */
export function inputsDigest(root, compilerKey, files, stamps) {
  const startedAt = Date.now();
  const known = stamps ? readStamps(stamps) : undefined;
  const lines = [];
  let renewed = false;
  // The text hashed, built up and hashed at once: a hash update per file and field cost more than the stat calls.
  let text = `${compilerKey}\0`;
  const base = root.endsWith('/') ? root : `${root}/`;
  const contentHash = (rel, symlink) => {
    const path = base + rel;
    let st;
    if (!symlink && stamps) {
      try {
        st = lstatSync(path, { throwIfNoEntry: false });
      } catch {
        st = undefined;
      }
      if (st && !st.isFile()) st = undefined; // a link or a folder: read (and reported) as such, never recorded
    }
    // A record line is the file's path and stamps, then its content hash: compared as text.
    const stamp = st && `${rel}\0${st.size}\0${st.mtimeMs}\0${st.ctimeMs}\0${st.ino}\0`;
    const settledBy = st && Math.max(st.mtimeMs, st.ctimeMs) + SETTLE_MS;
    const was = stamp && known?.lines.get(rel);
    if (was && settledBy < known.startedAt && was.length === stamp.length + HASH_LENGTH && was.startsWith(stamp)) {
      lines.push(was);
      const hash = was.slice(stamp.length);
      files?.set(rel, { hash });
      return hash;
    }
    // Stat'ed before reading: an edit while reading changes the stamps after the ones recorded.
    const bytes = readFileSync(path);
    const hash = createHash('sha256').update(bytes).digest('base64');
    if (files && !symlink) files.set(rel, { hash, bytes });
    if (stamp) {
      const line = stamp + hash;
      lines.push(line);
      // Recorded anew when it changed, or when it would now be trusted (a racy entry settled).
      if (line !== was || settledBy < startedAt) renewed = true;
    }
    return hash;
  };
  const file = (rel, symlink) => {
    text += symlink ? `${rel}\0link\0` : `${rel}\0file\0`;
    try {
      text += contentHash(rel, symlink);
    } catch {
      text += '\0missing';
    }
    text += '\0';
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
    if (e.isDirectory()) text += `tenants/${e.name}\0dir\0`;
    else file(`tenants/${e.name}`, e.isSymbolicLink());
  }
  if (stamps && (renewed || !known || known.lines.size !== lines.length)) writeStamps(stamps, startedAt, lines);
  return createHash('sha256').update(text).digest('hex');
}

/** Length of a SHA-256 in base64. */
const HASH_LENGTH = 44;
const HEADER = `tenantctl input stamps ${RECORD_VERSION}`;

/**
 * The recorded lines by path, and when the pass that recorded them started; undefined when
 * missing, damaged (checksum) or of another version. Lines are not parsed: a file's current
 * stamps are compared with its line as text.
 */
function readStamps(file) {
  try {
    const text = readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (newline !== 64 || text.slice(0, 64) !== createHash('sha256').update(body).digest('hex')) return undefined;
    const all = body.split('\n');
    const [header, at] = all[0].split('\0');
    const startedAt = Number(at);
    if (header !== HEADER || !Number.isFinite(startedAt)) return undefined;
    const lines = new Map();
    for (let i = 1; i < all.length; i++) if (all[i] !== '') lines.set(all[i].slice(0, all[i].indexOf('\0')), all[i]);
    return { startedAt, lines };
  } catch {
    return undefined;
  }
}

/** Written to a temporary file of this process and renamed: two processes at once each leave a whole record. */
function writeStamps(file, startedAt, lines) {
  try {
    const body = `${HEADER}\0${startedAt}\n${lines.join('\n')}\n`;
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.${startedAt}.tmp`;
    writeFileSync(tmp, `${createHash('sha256').update(body).digest('hex')}\n${body}`);
    renameSync(tmp, file);
  } catch {
    // a read-only cache: every run reads the input files
  }
}
