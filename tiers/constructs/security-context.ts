/**
 * The security contexts of every tenant and platform pod: the Pod Security Standards
 * "restricted" profile (non-root, no privilege escalation, all capabilities dropped, the
 * runtime's default seccomp profile) with a read-only root filesystem.
 */
import type * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';

/** Pod-level: run as `uid`:`gid`, volumes owned by `gid`. */
export function restrictedPod(uid: number, gid: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid, seccompProfile: { type: 'RuntimeDefault' } };
}

/**
 * Container-level: run as `uid` (and `gid` when given; otherwise the pod's group applies),
 * read-only root filesystem, no privilege escalation, no capabilities.
 */
export function restrictedContainer(uid: number, gid?: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    ...(gid === undefined ? {} : { runAsGroup: gid }),
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
