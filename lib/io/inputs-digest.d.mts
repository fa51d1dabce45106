// Types of inputs-digest.mjs (plain JavaScript: bin/early-scan.mjs runs it before the bundle loads).

/**
 * SHA-256 (hex) of `compilerKey` and the input files (fleet.ts, tenants/) of the repository at
 * `root`; `read` receives the bytes of each regular file hashed, by repository-relative path.
 */
export function inputsDigest(root: string, compilerKey: string, read?: Map<string, Buffer>): string;
