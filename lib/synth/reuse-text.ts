/**
 * Serializing an object costs more than rendering it: the yaml package builds a document tree for
 * every value and tests each string against the YAML 1.1 tags, and in a fresh process (a re-synth
 * after one tenant changed) it runs cold. Most of a re-rendered folder is as it was (a display name
 * reaches one Namespace, not the Deployments), so a folder rendered again takes the text of its
 * previous render for every object whose digest is the one recorded with that text.
 *
 * The digest covers the rendering code's version, the source named in the file's header and the
 * object's JSON: the same code serializes the same JSON to the same text (the objects are plain
 * JSON values, as cdk8s's toJson returns them), so a reused text is byte-identical to a fresh one.
 */
import { createHash } from 'node:crypto';
import type { ManifestFile } from './layout.ts';

export interface TextReuse {
  /** The rendering code's version (compile.ts codeVersion): text is only ever reused from the same code. */
  readonly version: string;
  /** The folder's files from its previous render, with their digests; absent: nothing to reuse, digests are still recorded. */
  readonly previous?: readonly ManifestFile[];
}

/** What a file's text was serialized from. */
export function objectDigest(version: string, source: string, value: unknown): string {
  return createHash('sha256').update(`${version}\0${source}\0${JSON.stringify(value)}`).digest('base64');
}

/**
 * The file at `path` holding `value`: `serialize`'s text, or with `reuse`, its previous text when
 * the digest is the recorded one, and the digest, so the next render can reuse it in turn.
 */
export function reusedFile(reuse: TextReuse | undefined, previous: ReadonlyMap<string, ManifestFile>, path: string, value: unknown, source: string, serialize: () => string): ManifestFile {
  if (!reuse) return { path, content: serialize() };
  const digest = objectDigest(reuse.version, source, value);
  const was = previous.get(path);
  return { path, content: was?.digest === digest ? was.content : serialize(), digest };
}

/** The previous render's files by path (those with a digest). */
export function previousByPath(reuse: TextReuse | undefined): ReadonlyMap<string, ManifestFile> {
  const out = new Map<string, ManifestFile>();
  for (const f of reuse?.previous ?? []) if (f.digest !== undefined) out.set(f.path, f);
  return out;
}
