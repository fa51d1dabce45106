/**
 * Problems with the user's input, as data. The compiler collects all of them before it stops,
 * and only the report layer turns them into text, so the CLI, tests and CI annotations share them.
 */

import { UserError } from './user-error.ts';
export type IssueCode =
  | 'tenant.load-failed'
  | 'tenant.invalid'
  | 'tenant.name-mismatch'
  | 'tenant.duplicate-name'
  | 'tenant.duplicate-domain'
  | 'tenant.unknown-tier'
  | 'tenant.below-tier-floor'
  | 'tenant.above-tier-ceiling'
  | 'fleet.load-failed'
  | 'fleet.invalid'
  | 'placement.no-cluster'
  | 'placement.unknown-cluster'
  | 'placement.wrong-region'
  | 'placement.tier-not-hosted'
  | 'placement.capacity-exceeded';

export interface Issue {
  readonly code: IssueCode;
  /** Repository-relative file the problem is in, e.g. `tenants/acme.ts`. */
  readonly file: string;
  /** Dotted field path inside that file's value, e.g. `environments.production.domains[1]`. */
  readonly path: string;
  /** 1-based line and column of the field in the file, when the file was read from source. */
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** How to fix it, in the user's terms. */
  readonly fix?: string;
}

/** 1-based line and column in a source file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where each value of a file's default export is written, by field path (`environments.production.domains[0]`). */
export interface SourcePositions {
  /** The position of `path`, or of its nearest ancestor written in the file (a missing field points at its object). */
  at(path: string): Position | undefined;
}

/** Thrown when input is invalid; carries every issue found, never just the first. */
export class InputError extends UserError {
  constructor(readonly issues: readonly Issue[]) {
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in the input`);
    this.name = 'InputError';
  }
}

/** Formats a zod-style path (`['environments','production','domains',1]`) as `environments.production.domains[1]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
