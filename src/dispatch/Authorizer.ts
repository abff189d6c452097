import type { Identity } from '../core/types.js';
import type { Person, Role } from '../core/services.js';
import { ConfigError } from '../core/errors.js';
import { AuthConfigSchema, type AuthConfig } from './config.js';
import { PeopleDirectory } from '../people/PeopleDirectory.js';
import { normUserId as normUser } from '../people/identityKey.js';

export interface Authorizer {
  /** The role of an identity, or null when it is not on the access list. */
  roleOf(identity: Identity): Role | null;
  /** The configured person an identity belongs to (config `people`), if any. */
  personOf?(identity: Identity): Person | undefined;
}

/**
 * Who may do what: the configured people (each identity of a person gets the person's role), then `auth.users`
 * patterns (exact identity, any address of a domain, anyone on an adapter; most specific wins). Anything else: null.
 */
export class ConfigAuthorizer implements Authorizer {
  private readonly exact = new Map<string, Role>();
  private readonly domains = new Map<string, Role>();
  private readonly adapters = new Map<string, Role>();

  constructor(
    config: AuthConfig,
    private readonly people: PeopleDirectory = new PeopleDirectory(),
  ) {
    for (const [pattern, role] of Object.entries(config)) {
      const i = pattern.indexOf(':');
      const adapter = pattern.slice(0, i);
      const rest = pattern.slice(i + 1);
      let map: Map<string, Role>;
      let key: string;
      if (rest === '*') [map, key] = [this.adapters, adapter];
      else if (rest.startsWith('*@')) [map, key] = [this.domains, `${adapter}:${rest.slice(2).toLowerCase()}`];
      else [map, key] = [this.exact, `${adapter}:${normUser(adapter, rest)}`];
      const prev = map.get(key);
      // Two spellings of one identity with different roles: refuse to guess which was meant.
      if (prev !== undefined && prev !== role) throw new ConfigError(`access list: "${pattern}" is listed twice with different roles (${prev}, ${role})`);
      map.set(key, role);
    }
    // An identity that is both a person's and an auth.users entry must not get two roles.
    for (const [key, person] of people.entries()) {
      const listed = this.exact.get(key);
      if (listed !== undefined && listed !== person.role)
        throw new ConfigError(`access list: "${key}" is in auth.users as ${listed} and in people.${person.id} as ${person.role}`, [
          `auth.users.${key}: also an identity of people.${person.id}, with another role (${listed}, ${person.role}); keep one`,
        ]);
    }
  }

  personOf(identity: Identity): Person | undefined {
    return this.people.personOf(identity);
  }

  roleOf(identity: Identity): Role | null {
    const adapter = identity.adapter;
    const user = normUser(adapter, identity.userId);
    if (!adapter || !user) return null;
    const person = this.people.personOf(identity);
    if (person) return person.role;
    const exact = this.exact.get(`${adapter}:${user}`);
    if (exact) return exact;
    const at = user.lastIndexOf('@');
    if (at > 0 && !/[\s<>]/.test(user)) {
      const domain = this.domains.get(`${adapter}:${user.slice(at + 1).toLowerCase()}`);
      if (domain) return domain;
    }
    return this.adapters.get(adapter) ?? null;
  }
}

/** Build the authorizer from the raw `auth.users` section and the people; problems name the entry to fix. */
export function createAuthorizer(raw: unknown, people?: PeopleDirectory): ConfigAuthorizer {
  const r = AuthConfigSchema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(
      'invalid access list (auth)',
      r.error.issues.map((i) => `auth${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`),
    );
  }
  return new ConfigAuthorizer(r.data, people);
}
