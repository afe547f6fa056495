import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import type { ApiKeyCommand } from './commands';
import { apiKeyStreamId, decideApiKey } from './decide';
import { evolveApiKey } from './evolve';
import { initialApiKeyState, isApiKeyUsable, type ApiKeyState } from './state';

const NOW = new Date('2030-01-01T00:00:00.000Z');
let n = 0;
const ctx: EventContext = { tenant: '_system', now: NOW, newId: () => `e${++n}`, actor: 'key:admin', correlationId: 'c1', causationId: null };
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const create: ApiKeyCommand = { type: 'create', keyId: 'k1', name: ' ci ', tenants: ['acme', 'acme'], rights: ['sys.job-submit'], secretHash: HASH_A, expiresAt: null };

const run = (commands: ApiKeyCommand[], state: ApiKeyState = initialApiKeyState): ApiKeyState =>
  commands.reduce((s, c) => decideApiKey(c, s, ctx).reduce(evolveApiKey, s), state);

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
  return undefined;
};

describe('API key decider', () => {
  it('creates a key on its _system stream, recording only the hash and the creator', () => {
    const [event] = decideApiKey(create, initialApiKeyState, ctx);
    expect(event).toMatchObject({
      type: 'api-key.created',
      streamId: '_system.api-key.k1',
      tenant: '_system',
      actor: 'key:admin',
      data: { keyId: 'k1', name: 'ci', tenants: ['acme'], rights: ['sys.job-submit'], secretHash: HASH_A, expiresAt: null },
    });
    expect(apiKeyStreamId('k1')).toBe('_system.api-key.k1');
    const state = run([create]);
    expect(state).toMatchObject({ exists: true, createdBy: 'key:admin', version: 1 });
    expect(isApiKeyUsable(state, NOW)).toBe(true);
  });

  it('rotates to a new hash (keeping the expiry unless given) and revokes for good', () => {
    const expiring = { ...create, expiresAt: '2030-06-01T00:00:00Z' } as ApiKeyCommand;
    const rotated = run([expiring, { type: 'rotate', secretHash: HASH_B }]);
    expect(rotated).toMatchObject({ secretHash: HASH_B, expiresAt: '2030-06-01T00:00:00.000Z', version: 2 });
    expect(isApiKeyUsable(rotated, new Date('2030-07-01T00:00:00Z'))).toBe(false);
    const revoked = run([{ type: 'revoke', reason: 'leaked' }], rotated);
    expect(isApiKeyUsable(revoked, NOW)).toBe(false);
    expect(codeOf(() => decideApiKey({ type: 'rotate', secretHash: HASH_A }, revoked, ctx))).toBe('ILLEGAL_TRANSITION');
    expect(codeOf(() => decideApiKey({ type: 'revoke' }, revoked, ctx))).toBe('ILLEGAL_TRANSITION');
  });

  it('rejects every illegal command', () => {
    const created = run([create]);
    expect(codeOf(() => decideApiKey(create, created, ctx))).toBe('ALREADY_EXISTS');
    expect(codeOf(() => decideApiKey({ type: 'revoke' }, initialApiKeyState, ctx))).toBe('NOT_FOUND');
    expect(codeOf(() => decideApiKey({ type: 'rotate', secretHash: HASH_A }, created, ctx))).toBe('INVALID_ARGUMENT');
    for (const bad of [
      { keyId: 'K!' },
      { name: '  ' },
      { tenants: [] },
      { tenants: ['Not.A.Tenant'] },
      { rights: [] },
      { secretHash: 'plain' },
      { expiresAt: '2020-01-01T00:00:00Z' },
      { expiresAt: 'tomorrow' },
    ]) {
      expect(codeOf(() => decideApiKey({ ...create, ...bad } as ApiKeyCommand, initialApiKeyState, ctx))).toBe('INVALID_ARGUMENT');
    }
  });
});
