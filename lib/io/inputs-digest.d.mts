// Types of inputs-digest.mjs (plain JavaScript: bin/early-scan.mjs runs it before the bundle loads).

/** Where the content hashes of `root`'s input files are recorded with their stamps (git-ignored). */
export function inputStampsFile(root: string): string;

/** An input file as the inputs key saw it: its content hash (SHA-256, base64) and, when it was read for the key, its bytes. */
export interface InputFile {
  readonly hash: string;
  readonly bytes?: Buffer;
}

/**
 * SHA-256 (hex) of `compilerKey` and the input files (fleet.ts, tenants/) of the repository at
 * `root`; `files` receives each regular file hashed, by repository-relative path: its content
 * hash, and its bytes when it was read. A file whose stamps are those recorded in `stamps`
 * (inputStampsFile) is not read; with `stamps`, the hashes computed are recorded there.
 */
export function inputsDigest(root: string, compilerKey: string, files?: Map<string, InputFile>, stamps?: string): string;
