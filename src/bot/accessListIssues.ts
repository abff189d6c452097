import { ConfigError } from '../core/errors.js';
import { createAuthorizer } from '../dispatch/Authorizer.js';
import { createPeopleDirectory } from '../people/PeopleDirectory.js';

/**
 * Problems only the two access sections together show (each section's own problems are reported by its validator):
 * an identity that is a person's and also an `auth.users` entry with another role. The bot would refuse to start.
 */
export function accessListIssues(users: unknown, people: unknown): string[] {
  try {
    createAuthorizer(users, createPeopleDirectory(people));
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.filter((i) => i.startsWith('auth.users.') && i.includes('also an identity of people.'));
  }
}
