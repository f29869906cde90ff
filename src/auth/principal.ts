// Who is calling and what they may do: the two scopes lakeql knows and the identity checks hand to the rest.

/** `read`: queries, /files and /v1/bars. `write`: mutations, job queries and job subscriptions. */
export type Scope = 'read' | 'write';
export const SCOPES: readonly Scope[] = ['read', 'write'];

export interface Principal {
  /** Stable identity, used as the rate-limit bucket: `key:<name>`, `jwt:<iss>|<sub>` or `anonymous:<ip>`. */
  id: string;
  kind: 'api-key' | 'jwt' | 'anonymous';
  scopes: ReadonlySet<Scope>;
}

export function isScope(value: string): value is Scope {
  return value === 'read' || value === 'write';
}

/** With auth off everyone may do everything; the rate limit then counts per client address. */
export function anonymous(address: string): Principal {
  return { id: `anonymous:${address}`, kind: 'anonymous', scopes: new Set(SCOPES) };
}

/** Why a request was turned away: no usable credentials (401) or credentials without the scope (403). */
export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export function missingScopes(principal: Principal, needed: Iterable<Scope>): Scope[] {
  return [...new Set(needed)].filter((scope) => !principal.scopes.has(scope));
}
