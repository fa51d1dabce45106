/**
 * Reads a saved JSON audit report (`tenantctl audit --format json`), for `tenantctl report` and
 * `tenantctl pr --report`. Checked enough to fail with a clear message on a wrong file or an
 * incompatible version, instead of rendering nonsense.
 */
import { UserError } from '../model/user-error.ts';
import { readFileSync } from 'node:fs';
import { AUDIT_SCHEMA_VERSION, type AuditReport } from './types.ts';

/** The file is not a readable audit report of this version. */
export class ReportFileError extends UserError {
  constructor(readonly file: string, problem: string, fix: string) {
    super(`${file}: ${problem}; ${fix}`);
    this.name = 'ReportFileError';
  }
}

export function parseReport(text: string, file: string): AuditReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportFileError(file, `not JSON (${(error as Error).message})`, 'pass a file written by `tenantctl audit --format json`');
  }
  const r = value as Partial<AuditReport> | null;
  if (!r || typeof r !== 'object' || !('schemaVersion' in r) || !Array.isArray(r.clusters)) {
    throw new ReportFileError(file, 'not an audit report (no schemaVersion or clusters)', 'pass a file written by `tenantctl audit --format json`');
  }
  if ((r.schemaVersion as number) === 1) return fromVersion1(r as unknown as AuditReport);
  if (r.schemaVersion !== AUDIT_SCHEMA_VERSION) {
    throw new ReportFileError(file, `schemaVersion ${String(r.schemaVersion)} is not supported (this tenantctl reads 1 and ${AUDIT_SCHEMA_VERSION})`, 'audit again with this version of tenantctl');
  }
  return r as AuditReport;
}

export function readReport(file: string): AuditReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ReportFileError(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'check the path');
  }
  return parseReport(text, file);
}

/** A version 1 report (before recoverability evidence) as version 2: no evidence findings, none counted. */
function fromVersion1(r: AuditReport): AuditReport {
  return { ...r, schemaVersion: AUDIT_SCHEMA_VERSION, clusters: r.clusters.map((c) => ({ ...c, summary: { ...c.summary, evidence: 0 } })) };
}
