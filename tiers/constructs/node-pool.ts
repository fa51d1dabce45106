/**
 * Dedicated node pools: nodes reserved for one tenant carry the label `tenantctl.io/pool=<pool>`
 * and the taint `tenantctl.io/dedicated=<pool>:NoSchedule`; the tenant's pods select the label
 * and tolerate the taint.
 */

/** Node label (and namespace label) naming the pool. */
export const NODE_POOL_LABEL = 'tenantctl.io/pool';
/** Taint key that keeps other pods off a pool's nodes. */
export const NODE_POOL_TAINT = 'tenantctl.io/dedicated';

export interface NodePoolPlacement {
  readonly nodeSelector: Record<string, string> | undefined;
  readonly tolerations: Array<{ key: string; operator: 'Equal'; value: string; effect: 'NoSchedule' }> | undefined;
}

/**
 * The node selector and toleration that put pods on `pool`'s nodes, to spread into a pod spec
 * (or CloudNativePG's `affinity`); both undefined without a pool.
 */
export function nodePoolPlacement(pool: string | undefined): NodePoolPlacement {
  return {
    nodeSelector: pool ? { [NODE_POOL_LABEL]: pool } : undefined,
    tolerations: pool ? [{ key: NODE_POOL_TAINT, operator: 'Equal', value: pool, effect: 'NoSchedule' }] : undefined,
  };
}
