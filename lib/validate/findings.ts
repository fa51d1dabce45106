/** Schema problems as data; lib/report renders them. */

export type SchemaFindingCode =
  /** The object does not match its kind's schema (unknown field, wrong type, bad format...). */
  | 'schema.invalid'
  /** No vendored schema defines this kind. */
  | 'schema.unknown-kind'
  /** The kind is known, but not under this apiVersion. */
  | 'schema.unknown-api-version'
  /** A document without apiVersion or kind. */
  | 'schema.missing-type'
  /** A file that is not valid YAML (syntax error, duplicate key). */
  | 'manifest.unreadable';

export interface SchemaFinding {
  readonly code: SchemaFindingCode;
  /** The manifest file, e.g. `generated/eu-1/tenants/acme-production/deployment-odoo.yaml`. */
  readonly file: string;
  /** `Kind/namespace/name`, or `` when the document has no identity. */
  readonly resource: string;
  /** apiVersion of the document, when it has one. */
  readonly apiVersion?: string;
  /** Field path inside the object, e.g. `spec.template.spec.containers[0].ports[0].containerPort`; `` for the whole object. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

/** A manifest as read from a file; several documents of one file share `file`. */
export interface ManifestDoc<T = import('../model/resource.ts').KubeObject> {
  readonly file: string;
  readonly object: T;
}
