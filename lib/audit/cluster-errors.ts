/**
 * Why a cluster could not be audited, as data: an unreachable or forbidden cluster is a line in
 * the report with a fix, never a crash that hides the other clusters' findings.
 */
import { KubeApiError, KubeTransportError } from '../live/errors.ts';
import type { ClusterError, ClusterStatus } from './types.ts';

export interface ClusterFailure {
  readonly status: Exclude<ClusterStatus, 'ok'>;
  readonly error: ClusterError;
}

/** A problem found before talking to the cluster (kubeconfig, context); carries its code. */
export class ClusterSetupError extends Error {
  constructor(readonly code: ClusterError['code'], message: string, readonly fix: string) {
    super(message);
    this.name = 'ClusterSetupError';
  }
}

export function classifyClusterError(error: unknown, context?: string): ClusterFailure {
  const ctx = context ? ` (context ${context})` : '';
  if (error instanceof ClusterSetupError) return { status: 'error', error: { code: error.code, message: error.message, fix: error.fix } };
  if (error instanceof KubeTransportError) {
    return {
      status: 'unreachable',
      error: error.timedOut
        ? { code: 'timeout', message: error.message, fix: `check that the API server${ctx} is up and reachable from here, or raise --timeout` }
        : { code: 'unreachable', message: error.message, fix: `check the server address of the kubeconfig${ctx}, the network path (VPN, firewall) and the server's certificate` },
    };
  }
  if (error instanceof KubeApiError) {
    if (error.status === 401) {
      return { status: 'error', error: { code: 'unauthorized', message: error.message, fix: `renew the credentials of the kubeconfig${ctx}` } };
    }
    if (error.status === 403) {
      return {
        status: 'error',
        error: { code: 'forbidden', message: error.message, fix: `bind the ClusterRole tenantctl-auditor (generated/<cluster>/cluster/) to the identity of the kubeconfig${ctx}; --server-dry-run also needs patch` },
      };
    }
    return { status: 'error', error: { code: 'list-failed', message: error.message, fix: 'retry later; if it persists, look at the API server logs for that request' } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'error', error: { code: 'list-failed', message, fix: 'report this with the message above' } };
}
