import type { Identity } from '../core/types.js';

const ADAPTER_RE = /^[a-z][a-z0-9_-]{0,31}$/;
/** A bare e-mail address (no display name, no angle brackets, no spaces). */
const ADDRESS_RE = /^[^\s@<>:,;"*]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/** E-mail addresses compare case-insensitively; platform ids exactly. */
export function normUserId(adapter: string, userId: string): string {
  return adapter === 'email' ? userId.toLowerCase() : userId;
}

/** `adapter:userId` with the user id normalised: how identities are compared (access list, people, ownership). */
export function identityLookupKey(id: Pick<Identity, 'adapter' | 'userId'>): string {
  return `${id.adapter}:${normUserId(id.adapter, id.userId)}`;
}

export function sameIdentityKey(a: Pick<Identity, 'adapter' | 'userId'>, b: Pick<Identity, 'adapter' | 'userId'>): boolean {
  return identityLookupKey(a) === identityLookupKey(b);
}

/**
 * A person's identity as written in the config: `adapter:userId` (`slack:U0123ABCD`, `mattermost:8xk…`,
 * `console:alice`, `email:alice@iac.es`) or a bare address (`alice@iac.es` = `email:alice@iac.es`). Null when it is
 * neither, or a wildcard (people are specific: wildcards belong in auth.users).
 */
export function parseIdentity(text: string): Identity | null {
  if (ADDRESS_RE.test(text)) return { adapter: 'email', userId: text.toLowerCase() };
  const i = text.indexOf(':');
  if (i <= 0) return null;
  const adapter = text.slice(0, i);
  const userId = text.slice(i + 1);
  if (!ADAPTER_RE.test(adapter) || !userId || userId.length > 200 || /[\s*]/.test(userId)) return null;
  if (adapter === 'email' && !ADDRESS_RE.test(userId)) return null;
  return { adapter, userId: normUserId(adapter, userId) };
}
