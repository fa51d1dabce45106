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

/**
 * Names that say "credential" wherever they appear: an env var or a ConfigMap key a person added
 * by hand (`DB_PASSWORD=...` with `kubectl set env`) is as secret as a Secret's, even though the
 * object is not one.
 */
const CREDENTIAL_NAME = /pass(wd|word)?|secret|token|api[-_]?key|private[-_]?key|credential/i;

/** The named part of a path that may hold a credential: `env[name=X].value`, `data.X`, `data["X"]`. */
function credentialName(path: string): string | undefined {
  const env = /env\[name=("?)([^\]"]+)\1\](\.value)?$/.exec(path);
  if (env) return env[2];
  const data = /^(data|stringData|binaryData)(\.([A-Za-z_][\w-]*)|\["([^"]+)"\])$/.exec(path);
  return data ? (data[3] ?? data[4]) : undefined;
}

/**
 * Changes of any object with the values of credential-named fields masked as in Secrets, so a
 * hand-set password never reaches a report or a pull request.
 */
export function maskCredentialChanges(changes: readonly Change[]): Change[] {
  return changes.map((c) => {
    const name = credentialName(c.path);
    if (!name || !CREDENTIAL_NAME.test(name)) return c;
    const mask = (v: unknown) => (v === undefined ? undefined : typeof v === 'object' && v !== null && 'value' in v ? { ...(v as object), value: maskSecretValue((v as { value: unknown }).value) } : maskSecretValue(v));
    return { ...c, desired: mask(c.desired), live: mask(c.live) };
  });
}
