/**
 * The tenant file format: what a platform engineer writes in `tenants/<name>.ts`.
 *
 * Every field except identity is optional and defaults from the tenant's tier, so a file states
 * only what differs from the product standard. Objects are strict: an unknown field is an error,
 * because a typo that silently does nothing is worse than a failed build.
 */
import { z } from 'zod';
import { isCalendarDate } from '../time/calendar-date.ts';

export { isCalendarDate };

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti)$/;
/** An image pinned by tag (not `latest`) or by digest. */
const PINNED_IMAGE = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+((:(?!latest$)[A-Za-z0-9_.-]{1,128})|(@sha256:[a-f0-9]{64}))$/;

/** `YYYY-MM-DD` naming a day that exists (not 2099-99-99, not 2026-02-30). */
export const ODOO_VERSIONS = ['17.0', '18.0', '19.0'] as const;
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const dnsLabel = (max: number) =>
  z.string().max(max, { error: `must be at most ${max} characters` }).regex(DNS_LABEL, {
    error: 'must be a DNS label: lower-case letters, digits and "-", starting with a letter',
  });

const cidr = z.string().refine((s) => CIDR.test(s) && s.split(/[./]/).slice(0, 4).every((o) => Number(o) <= 255), {
  error: 'must be an IPv4 CIDR such as 203.0.113.0/24',
});

const quantity = z.string().regex(QUANTITY, { error: 'must be a binary quantity such as 512Mi or 20Gi' });

const timeZone = z.string().refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', {
  error: 'must be an IANA time zone such as Europe/Paris or UTC',
});

export const odooSchema = z.strictObject({
  version: z.enum(ODOO_VERSIONS),
  edition: z.enum(['community', 'enterprise']).optional(),
  image: z.string().regex(PINNED_IMAGE, {
    error: 'must be an image pinned by tag or digest, e.g. registry.example.com/odoo/odoo:18.0-20251101 (":latest" and untagged are not allowed)',
  }),
  workers: z.int().min(0).max(32).optional(),
  cronThreads: z.int().min(0).max(8).optional(),
  addons: z.array(z.string().regex(/^[a-z0-9_]+$/, { error: 'must be an Odoo module name (lower-case, digits, "_")' })).optional(),
});

export const databaseSchema = z.strictObject({
  storage: quantity.optional(),
  instances: z.int().min(1).max(9).optional(),
  postgres: z.union([z.literal(15), z.literal(16), z.literal(17)]).optional(),
});

export const redisSchema = z.strictObject({
  enabled: z.boolean().optional(),
  memory: quantity.optional(),
});

export const backupSchema = z.strictObject({
  rpoMinutes: z.int().min(1).max(1440).optional(),
  rtoMinutes: z.int().min(5).max(10080).optional(),
  retentionDays: z.int().min(1).max(3650).optional(),
  crossRegion: z.string().regex(DNS_LABEL).optional(),
  immutable: z.boolean().optional(),
});

export const maintenanceSchema = z.strictObject({
  day: z.enum(WEEKDAYS),
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be HH:MM in 24-hour time' }),
  durationMinutes: z.int().min(30).max(480),
  timeZone,
});

export const ingressSchema = z.strictObject({
  rateLimit: z.strictObject({ average: z.int().min(1).max(100000), burst: z.int().min(1).max(100000) }).optional(),
  adminAllowList: z.array(cidr).optional(),
  maxUploadMb: z.int().min(1).max(2048).optional(),
});

export const egressRuleSchema = z.strictObject({
  name: dnsLabel(40),
  cidr,
  port: z.int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP']).optional(),
});

export const waiverSchema = z.strictObject({
  policy: z.string().regex(/^[a-z]+\/[a-z0-9-]+$/, { error: 'must be a policy id such as security/run-as-non-root' }),
  /** `Kind/namespace/name`; `*` in a segment matches anything. Omitted: every object of the tenant. */
  object: z.string().optional(),
  reason: z.string().min(10, { error: 'must explain why (at least 10 characters)' }),
  owner: z.string().min(1),
  expires: z.string().refine(isCalendarDate, { error: 'must be a real date YYYY-MM-DD' }),
});

export const environmentSchema = z.strictObject({
  /** Run this environment on another tier than the tenant's (hybrid). */
  tier: z.string().optional(),
  /** Pin to a cluster by name instead of letting placement choose. */
  cluster: z.string().optional(),
  domains: z.array(z.string().regex(HOSTNAME, { error: 'must be a lower-case fully qualified host name' })).min(1),
  replicas: z.int().min(1).max(20).optional(),
  maxReplicas: z.int().min(1).max(40).optional(),
  workers: z.int().min(0).max(32).optional(),
  database: databaseSchema.optional(),
});

export const tenantSchema = z.strictObject({
  name: dnsLabel(24),
  displayName: z.string().min(1).max(100),
  tier: z.string(),
  region: dnsLabel(30),
  odoo: odooSchema,
  environments: z
    .record(dnsLabel(16), environmentSchema)
    .refine((envs) => Object.keys(envs).length > 0, { error: 'must declare at least one environment, e.g. production' }),
  database: databaseSchema.optional(),
  redis: redisSchema.optional(),
  backup: backupSchema.optional(),
  maintenance: maintenanceSchema.optional(),
  ingress: ingressSchema.optional(),
  egress: z.array(egressRuleSchema).optional(),
  labels: z.strictObject({ owner: dnsLabel(63), costCenter: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/) }),
  waivers: z.array(waiverSchema).optional(),
});

/** What a tenant file may contain. */
export type TenantSpec = z.input<typeof tenantSchema>;
/** One environment of a tenant file: for typing shared environment constants in `tenants/_*.ts`. */
export type EnvironmentSpec = z.input<typeof environmentSchema>;
export type Waiver = z.output<typeof waiverSchema>;
export type EgressRule = z.output<typeof egressRuleSchema>;

/**
 * Declares a tenant. An identity at run time: validation happens when the compiler loads the file,
 * so errors can name the file; the type gives editors completion and early red squiggles.
 */
export function defineTenant(spec: TenantSpec): TenantSpec {
  return spec;
}
