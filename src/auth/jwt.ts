// Bearer JWTs: verified with jose against a shared secret (HS*) or a JWKS URL (asymmetric), scopes from `scope`/`scp`.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWSAlgorithm } from 'jose';
import { AuthError, isScope, type Principal, type Scope } from './principal.js';

export interface JwtConfig {
  /** HMAC secret (HS256/384/512). Exactly one of secret and jwksUrl. */
  secret?: string;
  /** JSON Web Key Set URL of the identity provider (RS*, PS*, ES*, EdDSA). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const HMAC: JWSAlgorithm[] = ['HS256', 'HS384', 'HS512'];
/** Asymmetric only for JWKS: accepting HS* there would let a token be "signed" with the public key. */
const ASYMMETRIC: JWSAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
/** Tolerated clock skew between lakeql and the token issuer. */
const CLOCK_TOLERANCE_S = 30;

export interface JwtVerifierOptions {
  /** Injectable clock for tests. */
  now?: () => number;
  /** Injectable key source (tests); default: the secret or the remote JWKS. */
  keys?: JWTVerifyGetKey | Uint8Array;
}

export class JwtVerifier {
  private readonly key: JWTVerifyGetKey | Uint8Array;
  private readonly algorithms: JWSAlgorithm[];

  constructor(
    private readonly config: JwtConfig,
    private readonly options: JwtVerifierOptions = {},
  ) {
    if (config.secret !== undefined) {
      this.key = options.keys ?? new TextEncoder().encode(config.secret);
      this.algorithms = HMAC;
    } else if (config.jwksUrl !== undefined) {
      // jose caches the key set and refetches at most every 30 s when it meets an unknown `kid`.
      this.key = options.keys ?? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000 });
      this.algorithms = ASYMMETRIC;
    } else {
      throw new Error('JwtVerifier needs a secret or a JWKS URL');
    }
  }

  /** The principal of a valid token; AuthError(UNAUTHENTICATED) naming what is wrong otherwise. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        // A token without an expiry would be a password that never changes.
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: this.options.now ? new Date(this.options.now()) : undefined,
      };
      ({ payload } =
        this.key instanceof Uint8Array
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options));
    } catch (error) {
      throw new AuthError('UNAUTHENTICATED', `bearer token rejected: ${describe(error)}`);
    }
    const subject = payload.sub ?? '(no subject)';
    return { id: `jwt:${payload.iss ?? ''}|${subject}`, kind: 'jwt', scopes: scopesOf(payload) };
  }
}

/** OAuth's `scope` is a space-separated string; Azure AD and others use `scp` (string or array). */
export function scopesOf(payload: JWTPayload): Set<Scope> {
  const found = new Set<Scope>();
  for (const claim of [payload.scope, payload.scp]) {
    const values = typeof claim === 'string' ? claim.split(/\s+/) : Array.isArray(claim) ? claim : [];
    for (const value of values) if (typeof value === 'string' && isScope(value)) found.add(value);
  }
  return found;
}

/** jose's messages are safe to show (they never contain the token); the class says which check failed. */
function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim "${error.claim}" ${error.reason === 'check_failed' ? 'is wrong' : error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no matching key in the key set';
  if (error instanceof errors.JWKSTimeout) return 'the key set did not answer in time';
  if (error instanceof errors.JOSEError) return error.message;
  // jose reports every problem with the token itself as a JOSEError; anything else is the fetch of the key set.
  return 'the key set could not be fetched';
}
