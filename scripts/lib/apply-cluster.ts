/**
 * Puts a cluster's generated objects on a test control plane as a GitOps applier would: the
 * platform namespaces first, then Namespaces, CRDs, cluster-scoped and namespaced objects, by
 * server-side apply with field manager `tenantctl` (as test/integration/audit/live-fleet.ts).
 */
import { KubeClient } from '../../lib/live/kube-client.ts';
import { mapLimit } from '../../lib/live/map-limit.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import type { ControlPlane } from '../../test/control-plane/control-plane.ts';

/** Namespaces of platform components the fleet's objects use but does not declare. */
const PLATFORM_NAMESPACES = ['argocd', 'flux-system', 'traefik', 'velero'];

function applyOrder(o: KubeObject): number {
  if (o.kind === 'Namespace') return 0;
  if (o.kind === 'CustomResourceDefinition') return 1;
  return o.metadata.namespace ? 3 : 2;
}

/** Applies the objects as live-fleet.ts's applyCluster does (field manager tenantctl), each phase `concurrency` at a time. */
export async function applyCluster(controlPlane: ControlPlane, objects: readonly KubeObject[], concurrency = 16): Promise<void> {
  const client = KubeClient.fromKubeconfig({ kubeconfig: controlPlane.kubeconfigPath, maxSockets: concurrency });
  try {
    const failures: string[] = [];
    const apply = async (o: KubeObject, fieldManager: string) => {
      const res = await client.apply(o, { fieldManager });
      if (res.status >= 300) failures.push(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}: ${res.status} ${res.body.slice(0, 300)}`);
    };
    await mapLimit(PLATFORM_NAMESPACES, 4, (name) => apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject, 'platform-bootstrap'));
    for (const phase of [0, 1, 2, 3]) await mapLimit(objects.filter((o) => applyOrder(o) === phase), concurrency, (o) => apply(o, 'tenantctl'));
    if (failures.length) throw new Error(`${failures.length} objects could not be applied to ${controlPlane.server}, e.g.:\n  ${failures.slice(0, 5).join('\n  ')}`);
  } finally {
    client.close();
  }
}
