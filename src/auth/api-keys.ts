// LAKEQL_API_KEYS: parsing `name:key:scopes` entries and checking a presented key against their hashes in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isScope, type Principal, type Scope } from './principal.js';

/** A configured key. Only its SHA-256 is kept, so a heap dump or a logged config shows no key. */
export interface ApiKey {
  name: string;
  hash: Buffer;
  scopes: ReadonlySet<Scope>;
}

/** Short keys can be guessed; 16 base64url characters are 96 bits. */
export const MIN_KEY_LENGTH = 16;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** base64url only: a key never contains "." so it can never be mistaken for a JWT in `Authorization: Bearer`. */
const KEY = /^[A-Za-z0-9_-]+$/;

/**
 * `name:key:scopes[,name:key:scopes...]`, scopes `read`, `write` or `read+write`. Errors name the
 * entry by position and name, never by key, because they end up in logs.
 */
export function parseApiKeys(text: string | undefined): ApiKey[] {
  if (text === undefined || text.trim() === '') return [];
  const keys: ApiKey[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `entry ${index + 1}`;
    const parts = entry.split(':');
    if (parts.length !== 3) throw new Error(`${where}: expected name:key:scopes (e.g. reporting:<key>:read)`);
    const [name, key, scopeText] = parts;
    if (!NAME.test(name)) throw new Error(`${where}: name must be 1–64 letters, digits, "_", "." or "-"`);
    if (key.length < MIN_KEY_LENGTH || !KEY.test(key)) {
      throw new Error(
        `${where} (${name}): the key must be at least ${MIN_KEY_LENGTH} characters of A–Z, a–z, 0–9, "_" or "-"`,
      );
    }
    const scopes = scopeText.split('+').map((s) => s.trim());
    if (scopes.length === 0 || !scopes.every(isScope))
      throw new Error(`${where} (${name}): scopes must be read, write or read+write`);
    if (names.has(name)) throw new Error(`${where}: the name "${name}" is used twice`);
    const hash = sha256(key);
    if (hashes.has(hash.toString('hex'))) throw new Error(`${where} (${name}): the same key is configured twice`);
    names.add(name);
    hashes.add(hash.toString('hex'));
    keys.push({ name, hash, scopes: new Set(scopes as Scope[]) });
  });
  return keys;
}

export function looksLikeApiKey(token: string): boolean {
  return token.length >= MIN_KEY_LENGTH && KEY.test(token);
}

/**
 * The principal of a presented key, or null. Hashing first makes both sides 32 bytes, so
 * timingSafeEqual applies whatever the input's length, and every configured key is compared
 * (no early exit), so the time taken says nothing about which key, or how much of one, matched.
 */
export function verifyApiKey(keys: readonly ApiKey[], presented: string): Principal | null {
  const hash = sha256(presented);
  let match: ApiKey | null = null;
  for (const key of keys) {
    if (timingSafeEqual(key.hash, hash) && match === null) match = key;
  }
  return match && { id: `key:${match.name}`, kind: 'api-key', scopes: match.scopes };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
