import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `jsk_<keyId>_<secret>`: the prefix makes a leaked key easy to find by secret scanners, the key id
 * finds the stored record without a scan, and the secret is 32 random bytes (256 bits) in base64url.
 * Only SHA-256 of the secret is stored: with 256 bits of entropy a brute force is out of reach, so a
 * slow password hash (bcrypt, scrypt) would only cost time on every request.
 */
export const API_KEY_PREFIX = 'jsk_';
export const KEY_ID_PATTERN = /^[a-z0-9]{1,32}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
const TOKEN_PATTERN = /^jsk_([a-z0-9]{1,32})_([A-Za-z0-9_-]{32,128})$/;

export interface ApiKeyToken {
  keyId: string;
  secret: string;
}

export const formatApiKey = ({ keyId, secret }: ApiKeyToken): string => `${API_KEY_PREFIX}${keyId}_${secret}`;

export function parseApiKey(token: string): ApiKeyToken | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { keyId: match[1], secret: match[2] } : null;
}

export const looksLikeApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX);

export const isSecret = (secret: string): boolean => SECRET_PATTERN.test(secret);

export const newKeyId = (): string => randomBytes(8).toString('hex');
export const newSecret = (): string => randomBytes(32).toString('base64url');

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Constant-time: the comparison must not tell how much of a guessed secret was right. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
