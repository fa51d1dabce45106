/**
 * A RenderCache on disk (`render/` in the working copy's folder of the user cache:
 * workspace-cache.mjs): rendered files of a tenant environment by content key, so
 * re-synthesizing after one tenant changed renders only that one.
 *
 * Each entry starts with the SHA-256 of the rest, checked on every read: a damaged or
 * half-written entry is a miss (rendered again and rewritten), never output. Entries are written
 * to a temporary file and renamed, so two processes at once each leave a whole entry.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestFile } from '../synth/layout.ts';
import type { RenderCache } from '../synth/synthesize.ts';
import { workspaceCacheDir } from './workspace-cache.mjs';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The files of an entry's text when it is whole and well-formed; undefined otherwise. */
export function parseRenderEntry(text: string): ManifestFile[] | undefined {
  if (text.charCodeAt(64) !== 10) return undefined;
  const body = text.slice(65);
  if (text.slice(0, 64) !== sha256(body)) return undefined;
  try {
    const files = JSON.parse(body) as unknown;
    if (!Array.isArray(files) || !files.every((f) => f && typeof f.path === 'string' && typeof f.content === 'string' && (f.digest === undefined || typeof f.digest === 'string'))) return undefined;
    return files as ManifestFile[];
  } catch {
    return undefined;
  }
}

export function formatRenderEntry(files: readonly ManifestFile[]): string {
  const body = JSON.stringify(files);
  return `${sha256(body)}\n${body}`;
}

export function diskRenderCache(root: string): RenderCache {
  const dir = join(workspaceCacheDir(root), 'render');
  const made = new Set<string>();
  return {
    get(key) {
      let text: string;
      try {
        text = readFileSync(join(dir, key.slice(0, 2), `${key}.json`), 'utf8');
      } catch {
        return undefined;
      }
      return parseRenderEntry(text);
    },
    set(key, files) {
      const sub = join(dir, key.slice(0, 2));
      if (!made.has(sub)) {
        mkdirSync(sub, { recursive: true });
        made.add(sub);
      }
      const tmp = join(sub, `${key}.${process.pid}.tmp`);
      writeFileSync(tmp, formatRenderEntry(files));
      renameSync(tmp, join(sub, `${key}.json`));
    },
  };
}
