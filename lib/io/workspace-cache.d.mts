// Types of workspace-cache.mjs (plain JavaScript: bin/early-scan.mjs runs it before the bundle loads).
export function userCacheRoot(): string;
export function workspaceCacheDir(root: string): string;
