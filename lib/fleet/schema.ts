/**
 * The fleet file (`fleet.ts`): the clusters tenants are placed on, and the fleet-wide settings
 * (Git repository for Argo CD and Flux, secret store, certificate issuer, allowed registries).
 */
import { z } from 'zod';
import { GITOPS_ENGINES } from '../model/gitops-engine.ts';

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const label = z.string().regex(DNS_LABEL, { error: 'must be a DNS label' });
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

export const clusterSchema = z.strictObject({
  name: label.max(40),
  region: label,
  /** Tiers this cluster hosts; placement only puts a tenant environment where its tier is hosted. */
  tiers: z.array(z.string()).min(1),
  capacity: z.strictObject({
    cpu: z.number().positive(),
    memoryGi: z.number().positive(),
  }),
  /** Host names under this domain are valid for every tenant on the cluster. */
  baseDomain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/),
  traefikNamespace: label.default('traefik'),
  /** kubeconfig context the auditor uses for this cluster. */
  context: z.string().optional(),
  /**
   * The GitOps engine that applies this cluster's folder. It decides what is drift and what a
   * sync reverts. Unset: both engines' objects are generated and the audit infers the engine
   * from the CRDs the cluster serves (unknown when it serves both).
   */
  engine: z.enum(GITOPS_ENGINES).optional(),
});

export const regionSchema = z.strictObject({
  objectStorage: z.strictObject({
    endpoint: z.url({ protocol: /^https$/ }),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    /** A bucket with S3 Object Lock in compliance mode, for backups that must be immutable. */
    lockedBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    /** Addresses of the endpoint, for egress NetworkPolicies (which cannot match host names). */
    cidrs: z.array(z.string().regex(CIDR)).min(1),
  }),
});

export const fleetSchema = z.strictObject({
  gitops: z.strictObject({
    repoURL: z.string().min(1),
    branch: z.string().default('main'),
    /** Folder of the generated tree inside the repository. */
    path: z.string().default('generated'),
  }),
  secretStore: z.strictObject({ kind: z.enum(['ClusterSecretStore', 'SecretStore']), name: label }),
  issuer: z.strictObject({ kind: z.enum(['ClusterIssuer', 'Issuer']), name: label }),
  /** Image registries (prefixes) workloads may pull from. */
  allowedRegistries: z.array(z.string().min(1)).min(1),
  images: z.strictObject({
    postgres: z.record(z.string(), z.string()),
    redis: z.string(),
    /** Tools image for dumps and restore tests: needs pg_dump, pg_restore, postgres and an S3 client. */
    tools: z.string(),
  }),
  regions: z.record(label, regionSchema),
  clusters: z.array(clusterSchema).min(1),
});

export type FleetSpec = z.input<typeof fleetSchema>;
export type Fleet = z.output<typeof fleetSchema>;
export type Cluster = z.output<typeof clusterSchema>;
export type Region = z.output<typeof regionSchema>;

/** Declares the fleet; validated when loaded so errors can name `fleet.ts`. */
export function defineFleet(spec: FleetSpec): FleetSpec {
  return spec;
}
