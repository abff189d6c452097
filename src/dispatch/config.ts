import { z } from 'zod';
import { ROLES } from '../core/services.js';

/**
 * The `auth.users` section: identity pattern → role. Patterns: `adapter:userId` (exact), `adapter:*@domain` (any address
 * of a domain, for e-mail), `adapter:*` (anyone on that adapter). Most specific wins.
 */
const PATTERN = /^[a-z][a-z0-9_-]{0,31}:(\*|\*@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|[^\s*]{1,200})$/;

export const AuthConfigSchema = z.record(
  z.string().regex(PATTERN, { error: 'must look like adapter:userId, email:*@domain or adapter:*' }),
  z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
);
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
