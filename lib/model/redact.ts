/**
 * Credentials out of text that may reach a terminal, a report or a pull request: passwords in
 * URLs (`https://user:token@host`), GitHub tokens, Authorization headers. The git and GitHub
 * adapters pass every message through it.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')
    .replace(/\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})\b/g, '***')
    .replace(/(authorization:\s*\w+\s+)\S+/gi, '$1***');
}
