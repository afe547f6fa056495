import type { ApiKeyTenants } from './events';

export interface ApiKeyState {
  exists: boolean;
  keyId: string | null;
  name: string;
  tenants: ApiKeyTenants;
  rights: string[];
  secretHash: string | null;
  expiresAt: string | null;
  revoked: boolean;
  createdAt: string | null;
  createdBy: string | null;
  rotatedAt: string | null;
  revokedAt: string | null;
  version: number;
}

export const initialApiKeyState: ApiKeyState = {
  exists: false,
  keyId: null,
  name: '',
  tenants: [],
  rights: [],
  secretHash: null,
  expiresAt: null,
  revoked: false,
  createdAt: null,
  createdBy: null,
  rotatedAt: null,
  revokedAt: null,
  version: 0,
};

/** Usable = created, not revoked, not past its expiry at `now`. */
export const isApiKeyUsable = (s: ApiKeyState, now: Date): boolean =>
  s.exists && !s.revoked && (s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime());
