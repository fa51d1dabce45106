/**
 * Names of the platform objects the tier templates create and the auditor reads back (evidence
 * checks look the PostgreSQL clusters and Velero up by these names): one spelling for both sides,
 * without the auditor importing the templates.
 */
export const VELERO_NAMESPACE = 'velero';
export const SHARED_PG_NAMESPACE = 'postgres-shared';
export const SHARED_PG_CLUSTER = 'pg-shared';
export const SHARED_REDIS_NAMESPACE = 'redis-shared';
export const CNPG_OPERATOR_NAMESPACE = 'cnpg-system';
export const BARMAN_PLUGIN = 'barman-cloud.cloudnative-pg.io';
export const TENANT_PG_CLUSTER = 'pg';
