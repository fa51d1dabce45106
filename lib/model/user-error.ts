/**
 * The one base for errors a user can fix: each carries the exit code it ends the command with
 * and the fix to print. Every other error reaching the CLI is a defect in tenantctl (an
 * internal error, exit 70). Modules throw subclasses named for their condition; the CLI tells
 * them apart by class, never by the wording of their message.
 */

/** Exit codes of every command (README, "Commands"). */
export const EXIT = {
  ok: 0,
  /** A check failed, or there are findings. */
  failed: 1,
  /** Bad input or usage. */
  usage: 2,
  /** Partial failure: some cluster, object or pull request could not be handled. */
  partial: 3,
  /** A defect in tenantctl (sysexits' EX_SOFTWARE). */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface UserErrorOptions {
  /** How to fix it, in the user's terms; printed on its own line after the message. */
  readonly fix?: string;
  /** @default EXIT.usage */
  readonly exitCode?: ExitCode;
  readonly cause?: unknown;
}

/** A condition the user can fix: a one-line reason, an optional fix, and the exit code. */
export class UserError extends Error {
  readonly fix?: string;
  readonly exitCode: ExitCode;
  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? EXIT.usage;
  }
}
