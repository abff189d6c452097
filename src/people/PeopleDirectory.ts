import type { Identity } from '../core/types.js';
import type { Person } from '../core/services.js';
import { ConfigError } from '../core/errors.js';
import { PeopleConfigSchema, type PeopleConfig } from './config.js';
import { identityLookupKey, parseIdentity } from './identityKey.js';

/**
 * The configured people, looked up by any of their identities: `slack:U…`, `mattermost:…` and `alice@iac.es` are the
 * same person with one role and one Slurm account. An identity may belong to one person only.
 */
export class PeopleDirectory {
  readonly people: readonly Person[];
  private readonly byKey = new Map<string, Person>();
  private readonly byId = new Map<string, Person>();

  constructor(config: PeopleConfig = {}) {
    const list: Person[] = [];
    const issues: string[] = [];
    for (const [id, p] of Object.entries(config)) {
      const identities = p.identities.map((t) => parseIdentity(t)).filter((i): i is Identity => i !== null);
      const person: Person = { id, name: p.name ?? id, role: p.role, identities, slurm: { ...p.slurm } };
      for (const [k, ident] of identities.entries()) {
        const key = identityLookupKey(ident);
        const prev = this.byKey.get(key);
        if (prev && prev !== person) issues.push(`people.${id}.identities.${k}: ${key} is already an identity of people.${prev.id}; an identity belongs to one person`);
        else this.byKey.set(key, person);
      }
      this.byId.set(id, person);
      list.push(person);
    }
    if (issues.length) throw new ConfigError(`invalid people: ${issues.join('; ')}`, issues);
    this.people = list;
  }

  /** The person an identity belongs to (e-mail addresses case-insensitively, platform ids exactly). */
  personOf(identity: Pick<Identity, 'adapter' | 'userId'>): Person | undefined {
    if (!identity.adapter || !identity.userId) return undefined;
    return this.byKey.get(identityLookupKey(identity));
  }

  get(id: string): Person | undefined {
    return this.byId.get(id);
  }

  /** Every identity of every person, with its person (for the access list's consistency check). */
  entries(): [string, Person][] {
    return [...this.byKey];
  }

  /** The people with the admin role: whom to ask. */
  admins(): Person[] {
    return this.people.filter((p) => p.role === 'admin');
  }
}

/** The directory from the raw `people` section; problems name the entry to fix. */
export function createPeopleDirectory(raw: unknown): PeopleDirectory {
  const r = PeopleConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `people${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
    throw new ConfigError(`invalid people: ${issues.join('; ')}`, issues);
  }
  return new PeopleDirectory(r.data);
}
