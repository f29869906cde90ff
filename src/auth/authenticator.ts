// Turns presented credentials (HTTP headers or graphql-ws connectionParams) into a Principal, or an AuthError.
import { looksLikeApiKey, verifyApiKey, type ApiKey } from './api-keys.js';
import { JwtVerifier, type JwtConfig, type JwtVerifierOptions } from './jwt.js';
import { anonymous, AuthError, type Principal } from './principal.js';

export interface AuthConfig {
  apiKeys: ApiKey[];
  jwt?: JwtConfig;
}

/** What a client presented: `Authorization` (Bearer JWT or Bearer API key) and/or `X-API-Key`. */
export interface Credentials {
  authorization?: string | null;
  apiKey?: string | null;
}

export interface Authenticator {
  /** False when neither API keys nor JWT are configured: every caller is anonymous with every scope. */
  readonly enabled: boolean;
  /** `address` names the anonymous caller's bucket when auth is off. */
  authenticate(credentials: Credentials, address: string): Promise<Principal>;
}

export function isAuthConfigured(config: AuthConfig): boolean {
  return config.apiKeys.length > 0 || config.jwt !== undefined;
}

export function createAuthenticator(config: AuthConfig, options: JwtVerifierOptions = {}): Authenticator {
  const enabled = isAuthConfigured(config);
  const jwt = config.jwt ? new JwtVerifier(config.jwt, options) : undefined;
  return {
    enabled,
    async authenticate(credentials, address) {
      if (!enabled) return anonymous(address);
      const bearer = bearerToken(credentials.authorization);
      const apiKey = credentials.apiKey?.trim() || undefined;
      if (bearer === undefined && apiKey === undefined) {
        throw new AuthError(
          'UNAUTHENTICATED',
          'credentials required: send "Authorization: Bearer <API key or JWT>" or "X-API-Key: <key>"',
        );
      }
      if (bearer !== undefined && apiKey !== undefined)
        throw new AuthError('UNAUTHENTICATED', 'send either Authorization or X-API-Key, not both');
      const token = (bearer ?? apiKey)!;
      if (apiKey === undefined && !looksLikeApiKey(token)) {
        if (!jwt)
          throw new AuthError(
            'UNAUTHENTICATED',
            'bearer JWTs are not accepted here (no LAKEQL_JWT_SECRET or LAKEQL_JWT_JWKS_URL): use an API key',
          );
        return jwt.verify(token);
      }
      const principal = verifyApiKey(config.apiKeys, token);
      if (!principal) throw new AuthError('UNAUTHENTICATED', 'API key not recognised');
      return principal;
    },
  };
}

/** `Bearer <token>` (scheme case-insensitive); a header with another scheme counts as no bearer token. */
function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AuthError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
  return m[1];
}

export function credentialsFromHeaders(headers: Headers): Credentials {
  return { authorization: headers.get('authorization'), apiKey: headers.get('x-api-key') };
}

/**
 * graphql-ws clients cannot set headers, so the key travels in connectionParams:
 * `{ apiKey }`, `{ authorization: 'Bearer …' }`, or `{ headers: { authorization | x-api-key } }` (names case-insensitive).
 */
export function credentialsFromConnectionParams(params: unknown): Credentials {
  const top = lowerCaseKeys(params);
  const headers = lowerCaseKeys(top.headers);
  const pick = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string');
  return {
    authorization: pick(top.authorization, headers.authorization) ?? null,
    apiKey: pick(top.apikey, top['x-api-key'], headers['x-api-key']) ?? null,
  };
}

function lowerCaseKeys(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
}
