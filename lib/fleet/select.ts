/**
 * Clusters named on the command line (`--cluster`, `tenantctl clusters NAME...`), checked against
 * fleet.ts: a typo must fail loudly, not audit or list nothing.
 */
import { UserError } from '../model/user-error.ts';
import type { Cluster } from './schema.ts';

/** Names not in fleet.ts; the CLI maps it to a usage error. */
export class UnknownClusterError extends UserError {
  override name = 'UnknownClusterError';
}

/**
 * The named clusters in fleet order, or every cluster when no name is given. `where` and `flag`
 * only shape the error: `--cluster eu-9: not in fleet.ts at HEAD (clusters: ...)`.
 */
export function selectClusters(clusters: readonly Cluster[], names: readonly string[], options: { where?: string; flag?: string } = {}): Cluster[] {
  const known = clusters.map((c) => c.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) {
    throw new UnknownClusterError(`${options.flag ? `${options.flag} ` : ''}${unknown.join(', ')}: not in ${options.where ?? 'fleet.ts'} (clusters: ${known.join(', ')})`);
  }
  return clusters.filter((c) => names.length === 0 || names.includes(c.name));
}
