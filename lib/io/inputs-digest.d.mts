// Types of inputs-digest.mjs (plain JavaScript: bin/early-scan.mjs runs it before the bundle loads).

/** Where the content hashes of `root`'s input files are recorded with their stamps (git-ignored). */
export function inputStampsFile(root: string): string;

/**
 * SHA-256 (hex) of `compilerKey` and the input files (fleet.ts, tenants/) of the repository at
 * `root`; `read` receives the bytes of each regular file hashed, by repository-relative path (then
 * every file is read). Without `read`, a file whose stamps are those recorded in `stamps`
 * (inputStampsFile) is not read again; with `stamps`, the hashes computed are recorded there.
 */
export function inputsDigest(root: string, compilerKey: string, read?: Map<string, Buffer>, stamps?: string): string;
