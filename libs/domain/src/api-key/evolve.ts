import type { DomainEvent } from '../shared/envelope';
import { isApiKeyEvent, type ApiKeyEvent } from './events';
import type { ApiKeyState } from './state';

function apply(s: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'api-key.created':
      return {
        ...s,
        exists: true,
        keyId: event.data.keyId,
        name: event.data.name,
        tenants: event.data.tenants,
        rights: event.data.rights,
        secretHash: event.data.secretHash,
        expiresAt: event.data.expiresAt,
        createdAt: event.occurredAt,
        createdBy: event.actor,
      };
    case 'api-key.rotated':
      return { ...s, secretHash: event.data.secretHash, expiresAt: event.data.expiresAt, rotatedAt: event.occurredAt };
    case 'api-key.revoked':
      return { ...s, revoked: true, revokedAt: event.occurredAt };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

export function evolveApiKey(s: ApiKeyState, event: DomainEvent): ApiKeyState {
  if (!isApiKeyEvent(event)) return s;
  return { ...apply(s, event), version: s.version + 1 };
}
