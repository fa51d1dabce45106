// Types of inputs-digest.mjs (plain JavaScript: bin/early-scan.mjs runs it before the bundle loads).

/** SHA-256 (hex) of `compilerKey` and the input files (fleet.ts, tenants/) of the repository at `root`. */
export function inputsDigest(root: string, compilerKey: string): string;
