/** Security policies: the Pod Security "restricted" profile, image provenance and secrets in Git. */
import { LABELS, MANAGED_BY, type KubeObject } from '../model/resource.ts';
import { asArray, containerRefs, effectiveSecurity, get, isControlled, isObject, labelsOf, ofKind, podTemplatesOf, type ContainerRef } from './objects.ts';
import type { Policy, PolicyContext, Violation } from './types.ts';

function eachContainer(ctx: PolicyContext, check: (c: ContainerRef) => Violation | undefined): Violation[] {
  const out: Violation[] = [];
  for (const t of podTemplatesOf(ctx.objects)) {
    for (const c of containerRefs(t)) {
      const v = check(c);
      if (v) out.push(v);
    }
  }
  return out;
}

const label = (c: ContainerRef) => `${c.init ? 'init container' : 'container'} "${c.name}"`;

export const runAsNonRoot: Policy = {
  id: 'security/run-as-non-root',
  severity: 'error',
  description: 'Containers run as a numeric non-root user: runAsNonRoot true and runAsUser > 0, at pod or container level.',
  fix: 'set securityContext.runAsNonRoot: true and securityContext.runAsUser to a numeric UID above 0 (pod or container level)',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const nonRoot = effectiveSecurity(c, 'runAsNonRoot');
      const user = effectiveSecurity(c, 'runAsUser');
      if (nonRoot === true && typeof user === 'number' && Number.isInteger(user) && user > 0) return undefined;
      const why = nonRoot !== true ? 'runAsNonRoot is not true' : typeof user !== 'number' ? 'has no numeric runAsUser' : `runs as UID ${user}`;
      return { object: c.template.object, path: `${c.path}.securityContext`, message: `${label(c)} ${why}` };
    }),
};

export const noPrivilegeEscalation: Policy = {
  id: 'security/no-privilege-escalation',
  severity: 'error',
  description: 'Containers set allowPrivilegeEscalation: false.',
  fix: 'set securityContext.allowPrivilegeEscalation: false on the container',
  check: (ctx) =>
    eachContainer(ctx, (c) =>
      get(c.container, 'securityContext', 'allowPrivilegeEscalation') === false
        ? undefined
        : { object: c.template.object, path: `${c.path}.securityContext.allowPrivilegeEscalation`, message: `${label(c)} may escalate privileges` },
    ),
};

export const dropAllCapabilities: Policy = {
  id: 'security/drop-all-capabilities',
  severity: 'error',
  description: 'Containers drop ALL capabilities and add back at most NET_BIND_SERVICE.',
  fix: 'set securityContext.capabilities.drop: [ALL] on the container and remove added capabilities',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const drop = asArray(get(c.container, 'securityContext', 'capabilities', 'drop')).map(String);
      const add = asArray(get(c.container, 'securityContext', 'capabilities', 'add')).map(String).filter((a) => a !== 'NET_BIND_SERVICE');
      if (drop.includes('ALL') && add.length === 0) return undefined;
      const why = !drop.includes('ALL') ? 'does not drop ALL capabilities' : `adds capabilities ${add.join(', ')}`;
      return { object: c.template.object, path: `${c.path}.securityContext.capabilities`, message: `${label(c)} ${why}` };
    }),
};

export const seccompRuntimeDefault: Policy = {
  id: 'security/seccomp-runtime-default',
  severity: 'error',
  description: 'Containers run with the RuntimeDefault (or a Localhost) seccomp profile.',
  fix: 'set securityContext.seccompProfile.type: RuntimeDefault on the pod',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const type = get(effectiveSecurity(c, 'seccompProfile'), 'type');
      return type === 'RuntimeDefault' || type === 'Localhost'
        ? undefined
        : { object: c.template.object, path: `${c.template.path}.securityContext.seccompProfile`, message: `${label(c)} runs ${type ? `with seccomp profile ${String(type)}` : 'without a seccomp profile'}` };
    }),
};

export const noHostAccess: Policy = {
  id: 'security/no-host-access',
  severity: 'error',
  description: 'Pods use no privileged containers, hostPath volumes, host network, PID or IPC namespaces.',
  fix: 'remove privileged, hostPath, hostNetwork, hostPID and hostIPC; use a PersistentVolumeClaim or emptyDir for storage',
  check(ctx) {
    const out: Violation[] = [];
    for (const t of podTemplatesOf(ctx.objects)) {
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
        if (t.spec[field] === true) out.push({ object: t.object, path: `${t.path}.${field}`, message: `pod uses ${field}` });
      }
      asArray(t.spec.volumes).forEach((v, i) => {
        if (isObject(v) && v.hostPath !== undefined) out.push({ object: t.object, path: `${t.path}.volumes[${i}].hostPath`, message: `volume "${String(v.name)}" mounts a host path` });
      });
      for (const c of containerRefs(t)) {
        if (get(c.container, 'securityContext', 'privileged') === true) out.push({ object: t.object, path: `${c.path}.securityContext.privileged`, message: `${label(c)} is privileged` });
      }
    }
    return out;
  },
};

/** `registry/repo:tag`, `repo@sha256:...`: the tag, or undefined when untagged. */
export function imageTag(image: string): { tag?: string; digest: boolean } {
  const digest = image.includes('@');
  const name = image.split('@')[0];
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return { tag: colon < 0 ? undefined : name.slice(colon + 1), digest };
}

export const pinnedImage: Policy = {
  id: 'security/pinned-image',
  severity: 'error',
  description: 'Images are pinned by a tag other than latest, or by digest.',
  fix: 'pin the image to a version tag or a digest (never :latest or untagged)',
  check: (ctx) =>
    eachContainer(ctx, (c) => {
      const image = typeof c.container.image === 'string' ? c.container.image : '';
      const { tag, digest } = imageTag(image);
      if (digest || (tag && tag !== 'latest')) return undefined;
      return { object: c.template.object, path: `${c.path}.image`, message: `${label(c)} uses ${image ? `"${image}", which is ${tag ? 'tagged latest' : 'untagged'}` : 'no image'}` };
    }),
};

export const allowedRegistries: Policy = {
  id: 'security/allowed-registries',
  severity: 'error',
  description: 'Images come only from the registries in fleet.allowedRegistries.',
  fix: 'use an image from an allowed registry, or add the registry to allowedRegistries in fleet.ts',
  check(ctx) {
    const allowed = ctx.fleet?.allowedRegistries;
    if (!allowed) return [];
    return eachContainer(ctx, (c) => {
      const image = typeof c.container.image === 'string' ? c.container.image : '';
      return allowed.some((prefix) => image.startsWith(prefix))
        ? undefined
        : { object: c.template.object, path: `${c.path}.image`, message: `${label(c)} pulls "${image}" from a registry not in ${allowed.join(', ')}` };
    });
  },
};

function hasData(secret: KubeObject): boolean {
  return (isObject(secret.data) && Object.keys(secret.data).length > 0) || (isObject(secret.stringData) && Object.keys(secret.stringData).length > 0);
}

export const noSecretData: Policy = {
  id: 'security/no-secret-data',
  severity: 'error',
  description: 'No Secret with data or stringData is committed: secrets come from the secret store through ExternalSecrets.',
  fix: 'delete the Secret from the manifests and create an ExternalSecret that reads it from the secret store',
  check(ctx) {
    const live = ctx.source === 'live';
    return ofKind(ctx.objects, 'Secret', '')
      .filter((s) => hasData(s) && (live ? labelsOf(s)[LABELS.managedBy] === MANAGED_BY : !isControlled(s)))
      .map((s) => ({ object: s, path: isObject(s.stringData) ? 'stringData' : 'data', message: `Secret "${s.metadata.name}" carries ${Object.keys({ ...(s.data as object), ...(s.stringData as object) }).length} key(s) in the manifests` }));
  },
};

export const noServiceAccountToken: Policy = {
  id: 'security/no-service-account-token',
  severity: 'error',
  description: 'Pods do not mount a service-account token (automountServiceAccountToken: false on the pod or its ServiceAccount).',
  fix: 'set automountServiceAccountToken: false on the pod spec (or on its ServiceAccount)',
  check(ctx) {
    const accounts = new Map(ofKind(ctx.objects, 'ServiceAccount', '').map((sa) => [`${sa.metadata.namespace ?? ''}/${sa.metadata.name}`, sa]));
    const out: Violation[] = [];
    for (const t of podTemplatesOf(ctx.objects)) {
      const own = t.spec.automountServiceAccountToken;
      if (own === false) continue;
      const name = typeof t.spec.serviceAccountName === 'string' ? t.spec.serviceAccountName : 'default';
      const sa = accounts.get(`${t.object.metadata.namespace ?? ''}/${name}`);
      if (own === undefined && sa?.automountServiceAccountToken === false) continue;
      out.push({ object: t.object, path: `${t.path}.automountServiceAccountToken`, message: own === true ? 'pod mounts its service-account token' : `pod mounts the token of ServiceAccount "${name}" (neither the pod nor the ServiceAccount turns automount off)` });
    }
    return out;
  },
};

export const securityPolicies: readonly Policy[] = [
  runAsNonRoot,
  noPrivilegeEscalation,
  dropAllCapabilities,
  seccompRuntimeDefault,
  noHostAccess,
  pinnedImage,
  allowedRegistries,
  noSecretData,
  noServiceAccountToken,
];
