import { formatApiKey, hashSecret, newKeyId, newSecret, parseApiKey, secretMatches } from './api-key-token';
import { PERMISSIONS } from './permissions';
import { coversRights, coversTenants, makePrincipal } from './principal';
import { permissionsOf, RIGHTS, rightsGranting } from './rights';

describe('rights catalog', () => {
  it('keeps the seed rows: sync-schema CRUD, orch run/progress/admin', () => {
    expect([...permissionsOf(['sys.sync-schema-crud'])].sort()).toEqual(PERMISSIONS.filter((p) => p.startsWith('OrchestrationTaskDefinition:')).sort());
    expect([...permissionsOf(['sys.sync-schema-read'])]).toEqual(['OrchestrationTaskDefinition:read']);
    expect([...permissionsOf(['sys.orch-admin'])]).toEqual(['Orch:run', 'Orch:progress']);
    expect(permissionsOf(['sys.admin']).size).toBe(PERMISSIONS.length);
  });

  it('grants every permission but Gateway:admin through some right besides sys.admin, and ignores unknown rights', () => {
    // Gateway:admin (certificate reload) is sys.admin's alone.
    for (const p of PERMISSIONS.filter((p) => p !== 'Gateway:admin')) expect(rightsGranting(p).filter((r) => r !== 'sys.admin').length).toBeGreaterThan(0);
    expect(rightsGranting('Gateway:admin')).toEqual(['sys.admin']);
    expect(permissionsOf(['sys.nope']).size).toBe(0);
    expect(Object.keys(RIGHTS).every((r) => r.startsWith('sys.'))).toBe(true);
  });

  it('lets a principal hand out only its own tenants and permissions', () => {
    const p = makePrincipal('key', 'k1', ['acme'], ['sys.job-admin']);
    expect(p.actor).toBe('key:k1');
    expect(coversTenants(p, ['acme'])).toBe(true);
    expect(coversTenants(p, '*')).toBe(false);
    expect(coversRights(p, ['sys.job-submit'])).toBe(true);
    expect(coversRights(p, ['sys.lock-admin'])).toBe(false);
  });
});

describe('API key tokens', () => {
  it('round-trips jsk_<keyId>_<secret> and matches only the right secret', () => {
    const token = { keyId: newKeyId(), secret: newSecret() };
    expect(parseApiKey(formatApiKey(token))).toEqual(token);
    expect(secretMatches(token.secret, hashSecret(token.secret))).toBe(true);
    expect(secretMatches(newSecret(), hashSecret(token.secret))).toBe(false);
    for (const bad of ['jsk_', 'jsk_ABC_' + 'x'.repeat(43), 'jsk_k1_short', `xjsk_k1_${'x'.repeat(43)}`]) expect(parseApiKey(bad)).toBeNull();
  });
});
