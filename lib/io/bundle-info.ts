/**
 * What bin/cli-bundle.mjs announces when the CLI runs from its bundle (plain JavaScript in the user
 * cache): enough for bundled code to find its sources and worker entries, and to reuse the hashes
 * of the source files the bundle was keyed by instead of reading them again. Absent when the CLI
 * runs from the TypeScript sources (tests, `TENANTCTL_NO_BUNDLE=1`, a bundle that could not build).
 */
import { pathToFileURL } from 'node:url';

export interface BundleInfo {
  /** URL of the source root (ends in `/`): bundled code's `import.meta.url` is a source file under it. */
  readonly sourceRoot: string;
  /** The bundle's folder. */
  readonly dir: string;
  /** Bundled file of each entry point, by source path (`lib/workspace/render-worker.ts`). */
  readonly entries: Readonly<Record<string, string>>;
  /** Content key of every source file, the lock file and the builder. */
  readonly key?: string;
  /** The project modules each source module imports (type-only imports excluded). */
  readonly graph?: Readonly<Record<string, readonly string[]>>;
  /** SHA-256 of each source file (and of package-lock.json), by path. */
  readonly files?: Readonly<Record<string, string>>;
}

/** The running bundle; with `packageRoot`, only when the bundle was built from that checkout. */
export function runningBundle(packageRoot?: string): BundleInfo | undefined {
  const info = (globalThis as Record<symbol, BundleInfo | undefined>)[Symbol.for('tenantctl.bundle')];
  if (!info || (packageRoot !== undefined && info.sourceRoot !== pathToFileURL(packageRoot.replace(/\/$/, '') + '/').href)) return undefined;
  return info;
}
