import { randomBytes } from 'node:crypto';

/** Short id quoted to users in error replies and logged with the full detail. */
export function newErrorId(): string {
  return 'E-' + randomBytes(3).toString('hex').toUpperCase();
}

/** An error whose message is written for the user: safe to show in chat (no paths, hosts, stacks). */
export class UserFacingError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** Configuration problem: the message names the setting to fix. */
export class ConfigError extends Error {
  constructor(message: string, readonly issues: string[] = []) {
    super(message);
    this.name = 'ConfigError';
  }
}
