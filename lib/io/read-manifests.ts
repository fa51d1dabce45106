/**
 * Reads manifests from a directory tree (generated/) into documents for validation and policies.
 * Unreadable YAML becomes a finding, not an exception, so one bad file never hides the others.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { KubeObject } from '../model/resource.ts';
import type { ManifestDoc, SchemaFinding } from '../validate/findings.ts';
import { isKustomizeConfig } from '../validate/validate.ts';
import { fastPathApplies, KUBERNETES_YAML, loadKubernetesYamlChecked } from './kubernetes-yaml.ts';

export interface ReadManifests {
  readonly docs: ManifestDoc[];
  /** `manifest.unreadable` findings: YAML syntax errors, duplicate keys, documents that are not objects. */
  readonly problems: SchemaFinding[];
}

export interface ParseManifestsOptions {
  /** `kubernetes`: YAML 1.1 scalars as the API server's clients read them; `1.2`: the YAML 1.2 core schema. @default 'kubernetes' */
  readonly yaml?: 'kubernetes' | '1.2';
}

/**
 * Documents of one YAML text; empty documents and kustomize files are skipped. Pure.
 *
 * Read with js-yaml when that gives the very same result as the `yaml` package (see
 * lib/io/kubernetes-yaml.ts), about ten times faster; otherwise, and whenever js-yaml finds an error,
 * with the `yaml` package, whose findings carry line numbers.
 */
export function parseManifests(text: string, file: string, options: ParseManifestsOptions = {}): ReadManifests {
  const { docs, problems } = parseManifestsChecked(text, file, options);
  return { docs, problems };
}

/**
 * `parseManifests`, and `json`: whether the documents survive JSON.stringify and JSON.parse
 * unchanged (read on the fast path, no NaN, ±Infinity or -0), for read-manifests-parallel.ts.
 */
export function parseManifestsChecked(text: string, file: string, options: ParseManifestsOptions = {}): ReadManifests & { json: boolean } {
  if (options.yaml !== '1.2' && fastPathApplies(text)) {
    let loaded: { values: unknown[]; json: boolean } | undefined;
    try {
      loaded = loadKubernetesYamlChecked(text);
    } catch {
      // A syntax error or a duplicate key: the reference parser says where.
    }
    if (loaded) return { ...fromValues(loaded.values, file), json: loaded.json };
  }
  return { ...parseWithYamlPackage(text, file, options), json: false };
}

/** A `manifest.unreadable` finding about `file` as a whole. */
function unreadable(file: string, message: string, fix: string): SchemaFinding {
  return { code: 'manifest.unreadable', file, resource: '', path: '', message, fix };
}

/**
 * Sorts one loaded document: a mapping goes to `out.docs`, any other value becomes a finding in
 * `out.problems`; empty documents and kustomize files are skipped.
 */
function addDocument(value: unknown, file: string, out: ReadManifests): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.problems.push(unreadable(file, 'document is not a YAML mapping', 'each document must be one Kubernetes object'));
    return;
  }
  if (isKustomizeConfig(value as { apiVersion?: unknown })) return;
  out.docs.push({ file, object: value as KubeObject });
}

function fromValues(values: readonly unknown[], file: string): ReadManifests {
  const out: ReadManifests = { docs: [], problems: [] };
  for (const value of values) addDocument(value, file, out);
  return out;
}

let yamlPackage: typeof import('yaml') | undefined;

/** The `yaml` package, loaded when a text first needs it: on generated/ no thread does (a tenth of a second each). */
function yaml(): typeof import('yaml') {
  return (yamlPackage ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** The reference reading: the `yaml` package, every error with its line. */
function parseWithYamlPackage(text: string, file: string, options: ParseManifestsOptions): ReadManifests {
  const { LineCounter, parseAllDocuments } = yaml();
  const out: ReadManifests = { docs: [], problems: [] };
  const dialect = options.yaml === '1.2' ? {} : KUBERNETES_YAML;
  const lineCounter = new LineCounter();
  for (const doc of parseAllDocuments(text, { ...dialect, uniqueKeys: true, prettyErrors: false, lineCounter })) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = lineCounter.linePos(error.pos[0]).line;
        out.problems.push(unreadable(file, `${line ? `line ${line}: ` : ''}${error.message.split('\n')[0]}`, 'fix the YAML syntax (a duplicate key is an error, as in kubeconform -strict)'));
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      out.problems.push(unreadable(file, error instanceof Error ? error.message : String(error), 'fix the YAML (aliases and merge keys must point at mappings)'));
      continue;
    }
    addDocument(value, file, out);
  }
  return out;
}

/** A YAML file found under a directory: where it is, and how findings name it. */
export interface YamlFile {
  readonly path: string;
  /** Relative to the `base` of the search, with `/` separators. */
  readonly file: string;
}

/**
 * Every YAML file under `dir`, recursively, sorted by name at each level, dot-entries skipped.
 * `listed` is told how many files were found so far after each folder (to start work early).
 */
export function yamlFiles(dir: string, base: string = process.cwd(), listed?: (files: number) => void): YamlFile[] {
  const out: YamlFile[] = [];
  // Paths are built by concatenation from the normalized root (path.join per entry costs more than
  // reading the directories of a 50,000-file tree).
  const walk = (path: string, file: string): void => {
    const prefix = path.endsWith(sep) ? path : path + sep;
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(prefix + name, file ? `${file}/${name}` : name);
      else if (entry.isFile() && (name.endsWith('.yaml') || name.endsWith('.yml'))) out.push({ path: prefix + name, file: file ? `${file}/${name}` : name });
    }
    listed?.(out.length);
  };
  const root = join(dir);
  walk(root, relative(base, root).split(sep).join('/'));
  return out;
}

export interface ReadManifestsOptions extends ParseManifestsOptions {
  /** Findings name files relative to this directory. @default process.cwd() */
  readonly base?: string;
}

/** Every YAML document under `dir` (recursively, sorted, dot-entries skipped). */
export function readManifests(dir: string, options: ReadManifestsOptions = {}): ReadManifests {
  const docs: ManifestDoc[] = [];
  const problems: SchemaFinding[] = [];
  for (const { path, file } of yamlFiles(dir, options.base)) {
    const parsed = parseManifests(readFileSync(path, 'utf8'), file, options);
    for (const d of parsed.docs) docs.push(d);
    for (const p of parsed.problems) problems.push(p);
  }
  return { docs, problems };
}
