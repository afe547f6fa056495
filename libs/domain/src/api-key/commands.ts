import type { ApiKeyTenants } from './events';

export type ApiKeyCommand =
  | { type: 'create'; keyId: string; name: string; tenants: ApiKeyTenants; rights: string[]; secretHash: string; expiresAt: string | null }
  /** A rotation keeps the expiry unless it names a new one. */
  | { type: 'rotate'; secretHash: string; expiresAt?: string | null }
  | { type: 'revoke'; reason?: string | null };
