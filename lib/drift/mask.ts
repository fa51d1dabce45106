/**
 * Secret values never leave the engine. A changed Secret key is reported as `data.<key>` with
 * both sides replaced by `sha256:<first 12 hex>` of the decoded value, or `<absent>`: equal
 * values hash equally, so a reader can tell "changed" from "added" without seeing either value.
 * Everything of a Secret outside metadata, `type` and `immutable` is masked the same way.
 */
import { createHash } from 'node:crypto';
import { tokenizePath } from './path.ts';
import type { Change } from './types.ts';

export const ABSENT = '<absent>';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesOf(value: unknown): Buffer {
  if (typeof value === 'string') {
    // `data` values are base64; hash the decoded bytes so `data` and `stringData` agree.
    return value.length % 4 === 0 && BASE64.test(value) ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
  }
  return Buffer.from(JSON.stringify(value) ?? '', 'utf8');
}

/** `sha256:<12 hex>` of a secret value, `<absent>` for undefined. */
export function maskSecretValue(value: unknown): string {
  if (value === undefined) return ABSENT;
  return `sha256:${createHash('sha256').update(bytesOf(value)).digest('hex').slice(0, 12)}`;
}

const CLEAR_FIELDS = new Set(['f:metadata', 'f:type', 'f:immutable', 'f:apiVersion', 'f:kind']);

/** Does a Secret change carry secret material? */
export function isSecretValuePath(path: string): boolean {
  return !CLEAR_FIELDS.has(tokenizePath(path)[0]);
}

/** The changes of a Secret with values masked; `stringData.<key>` is reported as `data.<key>`. */
export function maskSecretChanges(changes: readonly Change[]): Change[] {
  return changes.map((c) => {
    if (!isSecretValuePath(c.path)) return c;
    const path = c.path.startsWith('stringData') ? `data${c.path.slice('stringData'.length)}` : c.path;
    return { ...c, path, desired: maskSecretValue(c.desired), live: maskSecretValue(c.live) };
  });
}
