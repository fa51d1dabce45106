/**
 * Secret values never leave the engine. A changed Secret key is reported as `data.<key>` with
 * both sides replaced by a keyed digest of the decoded value, `hmac-sha256:<first 16 hex>`, or
 * `<absent>`: equal values digest equally, so a reader can tell "changed" from "added" without
 * seeing either value. Keyed (HMAC-SHA-256, the key from the caller, e.g. a CI secret), because
 * a plain hash in a report lets anyone holding it test guesses for a weak secret offline; the
 * same key gives the same digests run after run. Without a key a value is only `<hidden>`:
 * changed, no digest. Everything of a Secret outside metadata, `type` and `immutable` is masked.
 */
import { createHmac } from 'node:crypto';
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

/** A secret value without a digest key: there, and not shown. */
export const HIDDEN = '<hidden>';

/** Prefix of keyed digests in reports. */
export const DIGEST_PREFIX = 'hmac-sha256:';

/**
 * `hmac-sha256:<16 hex>` of a secret value under `key`, `<hidden>` without a key, `<absent>` for
 * undefined.
 */
export function maskSecretValue(value: unknown, key?: string): string {
  if (value === undefined) return ABSENT;
  if (!key) return HIDDEN;
  return `${DIGEST_PREFIX}${createHmac('sha256', key).update(bytesOf(value)).digest('hex').slice(0, 16)}`;
}

const CLEAR_FIELDS = new Set(['f:metadata', 'f:type', 'f:immutable', 'f:apiVersion', 'f:kind']);

/** Does a Secret change carry secret material? */
export function isSecretValuePath(path: string): boolean {
  return !CLEAR_FIELDS.has(tokenizePath(path)[0]);
}

/** The changes of a Secret with values masked; `stringData.<key>` is reported as `data.<key>`. */
export function maskSecretChanges(changes: readonly Change[], key?: string): Change[] {
  return changes.map((c) => {
    if (!isSecretValuePath(c.path)) return c;
    const path = c.path.startsWith('stringData') ? `data${c.path.slice('stringData'.length)}` : c.path;
    return { ...c, path, desired: maskSecretValue(c.desired, key), live: maskSecretValue(c.live, key) };
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
export function maskCredentialChanges(changes: readonly Change[], key?: string): Change[] {
  return changes.map((c) => {
    const name = credentialName(c.path);
    if (!name || !CREDENTIAL_NAME.test(name)) return c;
    const mask = (v: unknown) => (v === undefined ? undefined : typeof v === 'object' && v !== null && 'value' in v ? { ...(v as object), value: maskSecretValue((v as { value: unknown }).value, key) } : maskSecretValue(v, key));
    return { ...c, desired: mask(c.desired), live: mask(c.live) };
  });
}
