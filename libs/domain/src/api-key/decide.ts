import { DomainError } from '../shared/domain-error';
import { makeEvent, streamIdOf, type EventContext } from '../shared/envelope';
import type { ApiKeyCommand } from './commands';
import type { ApiKeyEvent, ApiKeyTenants } from './events';
import type { ApiKeyState } from './state';

/** API keys are not any tenant's data; `_system` cannot collide with a tenant (tenants start with [a-z0-9]). */
export const SYSTEM_TENANT = '_system';

export const apiKeyStreamId = (keyId: string): string => streamIdOf(SYSTEM_TENANT, 'api-key', keyId);

const KEY_ID = /^[a-z0-9]{1,32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const TENANT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const invalid = (field: string, message: string) => new DomainError('INVALID_ARGUMENT', message, { field });

function checkTenants(tenants: ApiKeyTenants): void {
  if (tenants === '*') return;
  if (!Array.isArray(tenants) || tenants.length === 0) throw invalid('tenants', 'tenants must be "*" or a non-empty list');
  for (const t of tenants) if (!TENANT.test(t)) throw invalid('tenants', `"${t}" is not a tenant name`);
}

function checkExpiry(expiresAt: string | null | undefined, now: Date): void {
  if (expiresAt === null || expiresAt === undefined) return;
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) throw invalid('expiresAt', 'expiresAt must be an ISO-8601 timestamp');
  if (at <= now.getTime()) throw invalid('expiresAt', 'expiresAt must be in the future');
}

function checkHash(secretHash: string): void {
  if (!SHA256_HEX.test(secretHash)) throw invalid('secretHash', 'secretHash must be a SHA-256 hex digest');
}

export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState, ctx: EventContext): ApiKeyEvent[] {
  if (command.type === 'create') {
    if (state.exists) throw new DomainError('ALREADY_EXISTS', `API key ${command.keyId} already exists`);
    if (!KEY_ID.test(command.keyId)) throw invalid('keyId', 'keyId must be 1 to 32 lowercase letters or digits');
    const name = command.name.trim();
    if (name.length === 0 || name.length > 200) throw invalid('name', 'name must be 1 to 200 characters');
    checkTenants(command.tenants);
    if (command.rights.length === 0) throw invalid('rights', 'a key needs at least one right');
    checkHash(command.secretHash);
    checkExpiry(command.expiresAt, ctx.now);
    return [
      makeEvent(ctx, apiKeyStreamId(command.keyId), 'api-key.created', {
        keyId: command.keyId,
        name,
        tenants: command.tenants === '*' ? ('*' as const) : [...new Set(command.tenants)],
        rights: [...new Set(command.rights)],
        secretHash: command.secretHash,
        expiresAt: command.expiresAt === null ? null : new Date(command.expiresAt).toISOString(),
      }),
    ];
  }
  if (!state.exists || state.keyId === null) throw new DomainError('NOT_FOUND', 'API key not found');
  if (state.revoked) throw new DomainError('ILLEGAL_TRANSITION', `API key ${state.keyId} is revoked`);
  const streamId = apiKeyStreamId(state.keyId);
  switch (command.type) {
    case 'rotate': {
      checkHash(command.secretHash);
      if (command.secretHash === state.secretHash) throw invalid('secretHash', 'a rotation needs a new secret');
      checkExpiry(command.expiresAt, ctx.now);
      const expiresAt = command.expiresAt === undefined ? state.expiresAt : command.expiresAt === null ? null : new Date(command.expiresAt).toISOString();
      return [makeEvent(ctx, streamId, 'api-key.rotated', { secretHash: command.secretHash, expiresAt })];
    }
    case 'revoke':
      return [makeEvent(ctx, streamId, 'api-key.revoked', { reason: command.reason ?? null })];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
