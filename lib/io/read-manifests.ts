/**
 * Reads manifests from a directory tree (generated/) into documents for validation and policies.
 * Unreadable YAML becomes a finding, not an exception, so one bad file never hides the others.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import type { KubeObject } from '../model/resource.ts';
import type { ManifestDoc, SchemaFinding } from '../validate/findings.ts';
import { isKustomizeConfig } from '../validate/validate.ts';

export interface ReadManifests {
  readonly docs: ManifestDoc[];
  /** `manifest.unreadable` findings: YAML syntax errors, duplicate keys, documents that are not objects. */
  readonly problems: SchemaFinding[];
}

/**
 * YAML as Kubernetes reads it. kubectl, Argo CD and Flux parse with go-yaml v2 (YAML 1.1), where an
 * unquoted `yes`, `on` or `y` is a boolean and `0755` an octal number, but base-60 numbers
 * (`02:00`) and timestamps stay strings. Parsing the same way makes a manifest that a YAML 1.2
 * writer left unquoted fail here, as it would fail on the cluster.
 */
const KUBERNETES_YAML = {
  version: '1.1',
  customTags: (tags: Tags) => tags.filter((t) => !(typeof t === 'object' && (t.format === 'TIME' || t.tag === 'tag:yaml.org,2002:timestamp'))),
} as const satisfies ParseOptions & DocumentOptions & SchemaOptions;

export interface ParseManifestsOptions {
  /** `kubernetes`: YAML 1.1 scalars as the API server's clients read them; `1.2`: the YAML 1.2 core schema. @default 'kubernetes' */
  readonly yaml?: 'kubernetes' | '1.2';
}

/** Documents of one YAML text; empty documents and kustomize files are skipped. Pure. */
export function parseManifests(text: string, file: string, options: ParseManifestsOptions = {}): ReadManifests {
  const docs: ManifestDoc[] = [];
  const problems: SchemaFinding[] = [];
  const dialect = options.yaml === '1.2' ? {} : KUBERNETES_YAML;
  for (const doc of parseAllDocuments(text, { ...dialect, uniqueKeys: true, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = error.linePos?.[0]?.line;
        problems.push({ code: 'manifest.unreadable', file, resource: '', path: '', message: `${line ? `line ${line}: ` : ''}${error.message.split('\n')[0]}`, fix: 'fix the YAML syntax (a duplicate key is an error, as in kubeconform -strict)' });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({ code: 'manifest.unreadable', file, resource: '', path: '', message: error instanceof Error ? error.message : String(error), fix: 'fix the YAML (aliases and merge keys must point at mappings)' });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ code: 'manifest.unreadable', file, resource: '', path: '', message: 'document is not a YAML mapping', fix: 'each document must be one Kubernetes object' });
      continue;
    }
    if (isKustomizeConfig(value as { apiVersion?: unknown })) continue;
    docs.push({ file, object: value as KubeObject });
  }
  return { docs, problems };
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

export interface ReadManifestsOptions extends ParseManifestsOptions {
  /** Findings name files relative to this directory. @default process.cwd() */
  readonly base?: string;
}

/** Every YAML document under `dir` (recursively, sorted, dot-entries skipped). */
export function readManifests(dir: string, options: ReadManifestsOptions = {}): ReadManifests {
  const base = options.base ?? process.cwd();
  const docs: ManifestDoc[] = [];
  const problems: SchemaFinding[] = [];
  for (const path of yamlFiles(dir)) {
    const file = relative(base, path).split(sep).join('/');
    const parsed = parseManifests(readFileSync(path, 'utf8'), file, options);
    docs.push(...parsed.docs);
    problems.push(...parsed.problems);
  }
  return { docs, problems };
}
