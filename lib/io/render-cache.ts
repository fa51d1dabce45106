/**
 * A RenderCache on disk (`.tenantctl/cache/render/`, git-ignored): rendered files of a tenant
 * environment by content key, so re-synthesizing after one tenant changed renders only that one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestFile } from '../synth/layout.ts';
import type { RenderCache } from '../synth/synthesize.ts';

export function diskRenderCache(root: string): RenderCache {
  const dir = join(root, '.tenantctl', 'cache', 'render');
  let made = false;
  return {
    get(key) {
      try {
        return JSON.parse(readFileSync(join(dir, key.slice(0, 2), `${key}.json`), 'utf8')) as ManifestFile[];
      } catch {
        return undefined;
      }
    },
    set(key, files) {
      const sub = join(dir, key.slice(0, 2));
      if (!made) {
        mkdirSync(dir, { recursive: true });
        made = true;
      }
      mkdirSync(sub, { recursive: true });
      const tmp = join(sub, `${key}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify(files));
      renameSync(tmp, join(sub, `${key}.json`));
    },
  };
}
