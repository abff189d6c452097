import type { SectionIssue } from '../config/renamedKeys.js';
import { explainIssues } from '../config/renamedKeys.js';
import { PeopleConfigSchema } from './config.js';
import { identityLookupKey, parseIdentity } from './identityKey.js';

/**
 * check-config's view of the `people` section: every schema problem, and every identity listed for two people (an
 * identity belongs to one person: two would make ownership and accounts ambiguous).
 */
function issues(value: unknown): SectionIssue[] {
  const r = PeopleConfigSchema.safeParse(value);
  if (!r.success) return explainIssues(r.error.issues, value);
  const out: SectionIssue[] = [];
  const seen = new Map<string, string>();
  for (const [id, p] of Object.entries(r.data)) {
    p.identities.forEach((text, k) => {
      const ident = parseIdentity(text);
      if (!ident) return;
      const key = identityLookupKey(ident);
      const prev = seen.get(key);
      if (prev !== undefined && prev !== id) out.push({ path: [id, 'identities', k], message: `${key} is already an identity of people.${prev}; an identity belongs to one person` });
      else seen.set(key, id);
    });
  }
  return out;
}

/** The validator registered for `people`; it carries the schema so `check-config --explain` lists the keys. */
export const peopleSectionIssues = Object.assign(issues, { schema: PeopleConfigSchema });
