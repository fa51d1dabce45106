/**
 * Credentials come from the secret store through External Secrets: Git only ever holds the
 * reference (`tenants/<tenant>/<env>/<what>`), never a value.
 */
import type { Construct } from 'constructs';
import * as es from '../../vendor/imports/externalsecrets-external-secrets.io.ts';
import type { Fleet } from '../../lib/fleet/schema.ts';

export interface ExternalSecretProps {
  readonly name: string;
  readonly namespace: string;
  readonly remoteKey: string;
  /** Secret key → property of the remote secret. */
  readonly keys: Readonly<Record<string, string>>;
  /** Secret type, e.g. kubernetes.io/basic-auth for CloudNativePG role passwords. */
  readonly type?: string;
  /** Extra templated keys (External Secrets template engine v2), e.g. a Redis ACL line. */
  readonly templateData?: Readonly<Record<string, string>>;
}

export function externalSecret(scope: Construct, id: string, fleet: Fleet, props: ExternalSecretProps): es.ExternalSecret {
  const storeKind = fleet.secretStore.kind === 'ClusterSecretStore' ? es.ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE : es.ExternalSecretSpecSecretStoreRefKind.SECRET_STORE;
  const templated = props.type !== undefined || props.templateData !== undefined;
  return new es.ExternalSecret(scope, id, {
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      secretStoreRef: { name: fleet.secretStore.name, kind: storeKind },
      refreshInterval: '1h',
      target: {
        name: props.name,
        creationPolicy: es.ExternalSecretSpecTargetCreationPolicy.OWNER,
        deletionPolicy: es.ExternalSecretSpecTargetDeletionPolicy.RETAIN,
        template: templated
          ? {
              type: props.type,
              engineVersion: es.ExternalSecretSpecTargetTemplateEngineVersion.V2,
              mergePolicy: es.ExternalSecretSpecTargetTemplateMergePolicy.MERGE,
              data: props.templateData ? { ...props.templateData } : undefined,
            }
          : undefined,
      },
      data: Object.keys(props.keys)
        .sort()
        .map((secretKey) => ({ secretKey, remoteRef: { key: props.remoteKey, property: props.keys[secretKey] } })),
    },
  });
}
