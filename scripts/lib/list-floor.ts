/**
 * The floor of scripts/bench-audit.ts, run as its own process so that its time and peak memory
 * are its own: `node --import tsx scripts/lib/list-floor.ts PLAN.json`. It lists what the audit
 * lists (lib/audit/kinds.ts) with the same client and page size, drops the items, and prints one
 * JSON line (FloorResult). Imports only what listing needs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_OBJECTS, planListings, type KindListing } from '../../lib/audit/kinds.ts';
import { expectedSegments, resolveEngine, segmentsOf } from '../../lib/audit/desired.ts';
import type { GitOpsEngine } from '../../lib/model/gitops-engine.ts';
import { KubeClient } from '../../lib/live/kube-client.ts';
import { mapLimit } from '../../lib/live/map-limit.ts';
import { tenantNamespaces } from '../../lib/drift/pair.ts';
import { listAll, pages, type LiveReader } from '../../lib/audit/list-live.ts';
import type { KubeObject } from '../../lib/model/resource.ts';

const seconds = (from: number) => (performance.now() - from) / 1000;


/** One cluster as the floor lists it: one representative object per apiVersion/kind of its desired objects. */
export interface FloorCluster {
  readonly name: string;
  readonly context: string;
  readonly objects: readonly KubeObject[];
  /** The engine fleet.ts names, if any. */
  readonly engine?: GitOpsEngine;
  readonly engineFolders: ReadonlyArray<{ readonly engine: GitOpsEngine; readonly objects: readonly KubeObject[] }>;
}

export interface FloorResult {
  /** Discovery and listing, timed inside the child. */
  readonly seconds: number;
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly listed: number; readonly requests: number; readonly kinds: number }>;
}

/**
 * The floor, run as a child: per cluster, what auditCluster lists (namespaces, then its kinds, 4 at
 * a time, 500 a page, Secrets in each tenant namespace) with the same KubeClient and pager, items
 * dropped as pages arrive.
 */
async function floorChild(planFile: string): Promise<void> {
  // `secrets: false`: the Secrets of tenant namespaces are not listed (the floor before they were).
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { kubeconfig: string; clusters: FloorCluster[]; secrets?: boolean };
  const started = performance.now();
  const clusters = await Promise.all(
    plan.clusters.map(async (c) => {
      const client = KubeClient.fromKubeconfig({ kubeconfig: plan.kubeconfig, context: c.context });
      try {
        const served = await client.resources();
        const segments = [...segmentsOf(c.objects), ...c.engineFolders.flatMap((f) => segmentsOf(f.objects, f.engine))];
        const desired = expectedSegments({ segments }, resolveEngine(c.engine, served));
        let listed = 0;
        let requests = 0;
        // The audit's own pager (lib/audit/list-live.ts), each request counted.
        const reader: LiveReader = { resources: () => client.resources(), list: (apiVersion, kind, options) => (requests++, client.list(apiVersion, kind, options)) };
        // Namespaces first, kept: as in the audit, Secrets are listed in each live tenant namespace
        // (one request per namespace at least), the audit's longest listing.
        const liveNamespaces = await listAll(reader, { apiVersion: 'v1', group: '', kind: 'Namespace', namespaced: false, desired: NO_OBJECTS }, 500);
        listed += liveNamespaces.length;
        const { kinds } = planListings(desired, served, plan.secrets === false ? [] : tenantNamespaces([], liveNamespaces));
        const listKind = async (listing: KindListing) => {
          for await (const items of pages(reader, listing, 500)) listed += items.length;
        };
        await mapLimit(kinds, 4, listKind);
        return { name: c.name, listed, requests, kinds: kinds.length + 1 };
      } finally {
        client.close();
      }
    }),
  );
  process.stdout.write(JSON.stringify({ seconds: seconds(started), clusters } satisfies FloorResult) + '\n');
}


if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await floorChild(process.argv[2]);
