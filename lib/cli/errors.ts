/** How commands end other than by returning: an exit code, or a usage error (exit 2). */

export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

/** Raised by commands to end with a given exit code after printing their own output. */
export class ExitError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
  }
}

/** Wrong flags or arguments: exit 2 with the message. */
export class UsageError extends Error {}
