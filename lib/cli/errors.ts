/** How commands end other than by returning: an exit code, or a usage error (exit 2). */
import { EXIT, UserError, type ExitCode, type UserErrorOptions } from '../model/user-error.ts';

export { EXIT, UserError, type ExitCode };

/** Raised by commands to end with a given exit code after printing their own output. */
export class ExitError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
  }
}

/** Wrong flags or arguments: exit 2 with the message. */
export class UsageError extends UserError {
  constructor(message: string, options: Omit<UserErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: EXIT.usage });
  }
}
