/**
 * Copies the upstream CRDs and Kubernetes JSON schemas from ../shared into vendor/ and
 * regenerates the typed cdk8s constructs for the CRDs the tiers use.
 *
 * Why: CI has ../shared beside the clone, a user's clone does not. Everything the project
 * needs at run time is therefore committed under vendor/, and this script is the only way
 * it changes (never edit vendor/ by hand).
 *
 * Flux's CRDs are the exception: vendor/crds/flux.yaml holds every CRD the Flux controllers the
 * tests run need (source-controller's six source kinds and kustomize-controller's Kustomization),
 * taken from those controllers' Go modules at the versions test/flux/build.ts builds, through the
 * Go module proxy (`go mod download`), so schemas, validation and the running controllers agree.
 *
 * Usage: npx tsx scripts/vendor-upstream.ts [--shared ../shared] [--check]
 *   --check  exit 1 when vendor/ differs from what the script would write (for CI).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { FLUX_COMPONENTS } from '../test/flux/build.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const sharedArg = args.indexOf('--shared');
const shared = resolve(root, sharedArg >= 0 ? args[sharedArg + 1] : '../shared');
const check = args.includes('--check');

/**
 * CRD files copied unchanged; the ones with an import name also get cdk8s constructs, for the
 * kinds (at the version) the tiers render only. `cdk8s import` writes a class per kind and
 * version and a function per nested type: whole, these files were 7.6 MB of TypeScript (external
 * secrets' store providers, Argo CD's Application, cert-manager's ACME solvers), loaded by every
 * synth that renders and by each render worker, for a dozen kinds. A kind missing here fails
 * the typecheck of the tier that needs it.
 */
const CRDS: ReadonlyArray<{ file: string; importAs?: string; kinds?: Readonly<Record<string, string>> }> = [
  { file: 'traefik-v3.yaml', importAs: 'traefik', kinds: { IngressRoute: 'v1alpha1', Middleware: 'v1alpha1', TLSOption: 'v1alpha1' } },
  { file: 'cert-manager.yaml', importAs: 'certmanager', kinds: { Certificate: 'v1' } },
  { file: 'cloudnative-pg.yaml', importAs: 'cnpg', kinds: { Cluster: 'v1', Database: 'v1', ScheduledBackup: 'v1' } },
  { file: 'cnpg-barman-cloud.yaml', importAs: 'barman', kinds: { ObjectStore: 'v1' } },
  { file: 'external-secrets.yaml', importAs: 'externalsecrets', kinds: { ExternalSecret: 'v1' } },
  { file: 'velero.yaml', importAs: 'velero', kinds: { Schedule: 'v1' } },
  { file: 'prometheus-operator.yaml', importAs: 'monitoring', kinds: { PrometheusRule: 'v1', ServiceMonitor: 'v1' } },
  { file: 'argo-cd.yaml', importAs: 'argocd', kinds: { AppProject: 'v1alpha1', ApplicationSet: 'v1alpha1' } },
  { file: 'flux.yaml', importAs: 'flux', kinds: { GitRepository: 'v1', Kustomization: 'v1' } },
];
/** CRD files written from Go modules instead of ../shared. */
const FROM_GO_MODULES = new Set(['flux.yaml']);
const K8S_SCHEMA_VERSIONS = ['v1.28.0', 'v1.36.0'];

function fail(message: string): never {
  process.stderr.write(`vendor-upstream: ${message}\n`);
  process.exit(2);
}

if (!existsSync(join(shared, 'crds'))) {
  fail(`${shared}/crds not found. Pass --shared <dir> pointing at the shared material (crds/, k8s-schemas/).`);
}

const out = check ? mkdtempSync(join(tmpdir(), 'tenantctl-vendor-')) : join(root, 'vendor');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'crds'), { recursive: true });

for (const { file } of CRDS) if (!FROM_GO_MODULES.has(file)) cpSync(join(shared, 'crds', file), join(out, 'crds', file));
writeFileSync(join(out, 'crds', 'flux.yaml'), fluxCrds());

/**
 * The CRDs of the Flux controllers (config/crd/bases of each module, sorted by file name), each
 * preceded by a comment naming module, version, path and sha256 of the file.
 */
function fluxCrds(): string {
  const parts: string[] = ['# Flux CRDs from the Go modules of the controllers test/flux/build.ts builds.', '# Written by scripts/vendor-upstream.ts; do not edit.'];
  for (const c of FLUX_COMPONENTS.filter((c) => c.apiSubmodule)) {
    let dir: string;
    try {
      const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${c.module}@${c.version}`], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } })) as { Dir?: string; Error?: string };
      if (!info.Dir) throw new Error(info.Error ?? 'no Dir');
      dir = info.Dir;
    } catch (e) {
      fail(`cannot download ${c.module}@${c.version} from the Go module proxy (${(e as Error).message.split('\n')[0]}); Go and GOPROXY are needed for the Flux CRDs`);
    }
    const bases = join(dir, 'config', 'crd', 'bases');
    for (const name of readdirSync(bases).filter((n) => n.endsWith('.yaml')).sort()) {
      const text = readFileSync(join(bases, name), 'utf8');
      const body = text.replace(/^---\n/, '').trimEnd();
      parts.push(`---\n# ${c.module}@${c.version} config/crd/bases/${name} sha256:${createHash('sha256').update(text).digest('hex')}\n${body}`);
    }
  }
  return `${parts.join('\n')}\n`;
}
cpSync(join(shared, 'crds', 'README.md'), join(out, 'crds', 'README.md'));
for (const v of K8S_SCHEMA_VERSIONS) {
  mkdirSync(join(out, 'k8s-schemas', v), { recursive: true });
  cpSync(join(shared, 'k8s-schemas', v, '_definitions.json'), join(out, 'k8s-schemas', v, '_definitions.json'));
}

const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');
const importInput = mkdtempSync(join(tmpdir(), 'tenantctl-import-'));
for (const { file, importAs, kinds } of CRDS) {
  if (!importAs) continue;
  const input = kinds ? join(importInput, file) : join(out, 'crds', file);
  if (kinds) writeFileSync(input, onlyKinds(readFileSync(join(out, 'crds', file), 'utf8'), file, kinds));
  execFileSync(cdk8s, ['import', `${importAs}:=${input}`, '--language', 'typescript', '--output', join(out, 'imports'), '--no-save', '--check-upgrade=false'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
rmSync(importInput, { recursive: true, force: true });

/** The CRDs of `text` (a file of ../shared) for `kinds`, each with the one version named; fails on a kind or version it lacks. */
function onlyKinds(text: string, file: string, kinds: Readonly<Record<string, string>>): string {
  const kept: unknown[] = [];
  const found = new Set<string>();
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJSON() as { kind?: string; spec?: { names?: { kind?: string }; versions?: Array<{ name: string }> } } | null;
    const kind = crd?.kind === 'CustomResourceDefinition' ? crd.spec?.names?.kind : undefined;
    if (!kind || !Object.hasOwn(kinds, kind)) continue;
    const versions = (crd!.spec!.versions ?? []).filter((v) => v.name === kinds[kind]);
    if (versions.length === 0) fail(`${file}: ${kind} has no version ${kinds[kind]}; name one it serves in CRDS`);
    kept.push({ ...crd, spec: { ...crd!.spec, versions } });
    found.add(kind);
  }
  const missing = Object.keys(kinds).filter((k) => !found.has(k));
  if (missing.length > 0) fail(`${file} has no CustomResourceDefinition for ${missing.join(', ')}; fix the kinds listed in CRDS`);
  return kept.map((crd) => stringify(crd)).join('---\n');
}

writeFileSync(
  join(out, 'README.md'),
  [
    '# vendor/',
    '',
    'Third-party material, copied or generated by `npx tsx scripts/vendor-upstream.ts`. Do not edit by hand.',
    '',
    '- `crds/`: upstream CustomResourceDefinitions, unchanged (see `crds/README.md` for sources and tags),',
    '  except `crds/flux.yaml`: the CRDs of the Flux controllers the tests run, from their Go modules',
    `  (${FLUX_COMPONENTS.filter((c) => c.apiSubmodule).map((c) => `${c.module}@${c.version}`).join(', ')}; each CRD names its file and sha256).`,
    '- `k8s-schemas/`: Kubernetes JSON schema definitions as kept by the cdk8s project.',
    '- `imports/`: typed cdk8s constructs generated from `crds/` with `cdk8s import`.',
    '',
  ].join('\n'),
);

if (check) {
  const digest = (dir: string): string => {
    const h = createHash('sha256');
    const walk = (d: string): void => {
      for (const name of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = join(d, name.name);
        if (name.isDirectory()) walk(p);
        else h.update(p.slice(dir.length)).update(readFileSync(p));
      }
    };
    walk(dir);
    return h.digest('hex');
  };
  const same = existsSync(join(root, 'vendor')) && digest(out) === digest(join(root, 'vendor'));
  rmSync(out, { recursive: true, force: true });
  if (!same) {
    process.stderr.write('vendor-upstream: vendor/ is stale. Run `npx tsx scripts/vendor-upstream.ts` and commit vendor/.\n');
    process.exit(1);
  }
  process.stdout.write('vendor/ is up to date\n');
}
