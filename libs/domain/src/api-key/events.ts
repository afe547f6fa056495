import type { DomainEvent } from '../shared/envelope';

/** `*` = every tenant. */
export type ApiKeyTenants = '*' | string[];

export interface ApiKeyEventDataMap {
  /** Only the SHA-256 of the secret is ever recorded; the key itself is shown once to its creator. */
  'api-key.created': { keyId: string; name: string; tenants: ApiKeyTenants; rights: string[]; secretHash: string; expiresAt: string | null };
  /** The previous secret stops working at once. */
  'api-key.rotated': { secretHash: string; expiresAt: string | null };
  'api-key.revoked': { reason: string | null };
}

export type ApiKeyEventType = keyof ApiKeyEventDataMap;

export const API_KEY_EVENT_TYPES = ['api-key.created', 'api-key.rotated', 'api-key.revoked'] as const satisfies readonly ApiKeyEventType[];

export type ApiKeyEventOf<T extends ApiKeyEventType> = DomainEvent<T, ApiKeyEventDataMap[T]>;

export type ApiKeyEvent = { [T in ApiKeyEventType]: ApiKeyEventOf<T> }[ApiKeyEventType];

export const isApiKeyEvent = (event: DomainEvent): event is ApiKeyEvent => (API_KEY_EVENT_TYPES as readonly string[]).includes(event.type);
