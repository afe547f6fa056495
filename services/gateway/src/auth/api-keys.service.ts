import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  coversRights,
  coversTenants,
  formatApiKey,
  hashSecret,
  makePrincipal,
  newKeyId,
  newSecret,
  secretMatches,
  type ApiKeyToken,
  type Principal,
} from '@jobstream/auth';
import { validateDto } from '@jobstream/contracts';
import {
  apiKeyStreamId,
  decideApiKey,
  evolveApiKey,
  initialApiKeyState,
  isApiKeyUsable,
  SYSTEM_TENANT,
  type ApiKeyCommand,
  type ApiKeyState,
  type EventContext,
} from '@jobstream/domain';
import { ConcurrencyError, EVENT_STORE, handleCommand, load, type EventStore, type Subscription } from '@jobstream/event-store';
import { ApiError } from '../errors/api-error';
import type { Caller } from '../jobs/caller';
import { AUTH_CONFIG, BOOTSTRAP_KEY_ID, type AuthConfig } from './auth-config';
import { CreateApiKeyDto, RevokeApiKeyDto, RotateApiKeyDto } from './api-key.dto';

const AGGREGATE = { initial: initialApiKeyState, evolve: evolveApiKey };
const CACHE_LIMIT = 10_000;
const KEY_ID = /^[a-z0-9]{1,32}$/;

export interface ApiKeyView {
  keyId: string;
  name: string;
  tenants: '*' | string[];
  rights: string[];
  status: 'active' | 'expired' | 'revoked';
  expiresAt: string | null;
  createdAt: string | null;
  createdBy: string | null;
  rotatedAt: string | null;
  revokedAt: string | null;
}

/** The only answer that ever holds the secret. */
export interface IssuedApiKey extends ApiKeyView {
  key: string;
}

const viewOf = (s: ApiKeyState, now: Date): ApiKeyView => ({
  keyId: s.keyId ?? '',
  name: s.name,
  tenants: s.tenants,
  rights: s.rights,
  status: s.revoked ? 'revoked' : isApiKeyUsable(s, now) ? 'active' : 'expired',
  expiresAt: s.expiresAt,
  createdAt: s.createdAt,
  createdBy: s.createdBy,
  rotatedAt: s.rotatedAt,
  revokedAt: s.revokedAt,
});

function parse<T extends object>(cls: new () => T, body: unknown, optional: boolean): T {
  if (optional && (body === undefined || body === null)) return new cls();
  const checked = validateDto(cls, body);
  if (!checked.ok) throw ApiError.invalid(checked.errors);
  return checked.value;
}

/**
 * API keys as an event-sourced aggregate (`_system.api-key.<keyId>`). Verification reads a key's
 * stream at most once per API_KEY_CACHE_MS; this gateway's own changes apply at once, and a
 * subscription to the key streams keeps the listing (and the cache) current across gateways.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('api-keys');
  private readonly cache = new Map<string, { state: ApiKeyState; at: number }>();
  private readonly known = new Map<string, ApiKeyState>();
  private subscription?: Subscription;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.store.subscribe({
      streamPrefix: `${SYSTEM_TENANT}.api-key.`,
      handler: async (batch) => {
        for (const { event } of batch.events) {
          const keyId = event.streamId.slice(`${SYSTEM_TENANT}.api-key.`.length);
          const state = evolveApiKey(this.known.get(keyId) ?? initialApiKeyState, event);
          this.known.set(keyId, state);
          const cached = this.cache.get(keyId);
          if (cached && cached.state.version < state.version) this.remember(keyId, state);
        }
      },
    });
    if (this.config.enabled) await this.bootstrapAdminKey();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }

  /** The principal of a presented key, or a 401 naming why not. */
  async verify(token: ApiKeyToken, now = new Date()): Promise<Principal> {
    const state = await this.stateOf(token.keyId);
    if (!state.exists || state.secretHash === null || !secretMatches(token.secret, state.secretHash)) throw new ApiError(401, 'invalid API key');
    if (state.revoked) throw new ApiError(401, 'API key revoked');
    if (!isApiKeyUsable(state, now)) throw new ApiError(401, 'API key expired');
    return makePrincipal('key', token.keyId, state.tenants, state.rights);
  }

  async create(principal: Principal | undefined, body: unknown, caller: Caller): Promise<IssuedApiKey> {
    const dto = parse(CreateApiKeyDto, body, false);
    if (principal && !coversTenants(principal, dto.tenants)) throw new ApiError(403, 'a key can only be given tenants its creator belongs to');
    if (principal && !coversRights(principal, dto.rights)) throw new ApiError(403, 'a key can only be given rights whose permissions its creator holds');
    const token = { keyId: newKeyId(), secret: newSecret() };
    const state = await this.execute(token.keyId, caller, {
      type: 'create',
      keyId: token.keyId,
      name: dto.name,
      tenants: dto.tenants,
      rights: dto.rights,
      secretHash: hashSecret(token.secret),
      expiresAt: dto.expiresAt ?? null,
    });
    return { ...viewOf(state, new Date()), key: formatApiKey(token) };
  }

  list(principal: Principal | undefined): ApiKeyView[] {
    const now = new Date();
    return [...this.known.values()]
      .filter((s) => s.exists && (!principal || coversTenants(principal, s.tenants)))
      .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || (a.keyId ?? '').localeCompare(b.keyId ?? ''))
      .map((s) => viewOf(s, now));
  }

  async rotate(principal: Principal | undefined, keyId: string, body: unknown, caller: Caller): Promise<IssuedApiKey> {
    const dto = parse(RotateApiKeyDto, body, true);
    await this.visible(principal, keyId);
    const secret = newSecret();
    const state = await this.execute(keyId, caller, { type: 'rotate', secretHash: hashSecret(secret), ...(dto.expiresAt !== undefined && { expiresAt: dto.expiresAt }) });
    return { ...viewOf(state, new Date()), key: formatApiKey({ keyId, secret }) };
  }

  async revoke(principal: Principal | undefined, keyId: string, body: unknown, caller: Caller): Promise<ApiKeyView> {
    const dto = parse(RevokeApiKeyDto, body, true);
    await this.visible(principal, keyId);
    const state = await this.execute(keyId, caller, { type: 'revoke', reason: dto.reason ?? null });
    return viewOf(state, new Date());
  }

  /** Another principal's key (outside its tenants) answers 404, like another tenant's data. */
  private async visible(principal: Principal | undefined, keyId: string): Promise<ApiKeyState> {
    if (!KEY_ID.test(keyId)) throw ApiError.notFound(`API key ${keyId} not found`);
    const state = await this.stateOf(keyId, true);
    if (!state.exists || (principal && !coversTenants(principal, state.tenants))) throw ApiError.notFound(`API key ${keyId} not found`);
    return state;
  }

  private async execute(keyId: string, caller: Caller, command: ApiKeyCommand): Promise<ApiKeyState> {
    const ctx = this.contextOf(caller);
    const { state } = await handleCommand(this.store, apiKeyStreamId(keyId), AGGREGATE, (s) => decideApiKey(command, s, ctx));
    this.remember(keyId, state);
    return state;
  }

  private contextOf(caller: Caller): EventContext {
    return { tenant: SYSTEM_TENANT, now: new Date(), newId: randomUUID, actor: caller.actor, correlationId: caller.correlationId, causationId: caller.causationId };
  }

  private async stateOf(keyId: string, fresh = false): Promise<ApiKeyState> {
    const cached = this.cache.get(keyId);
    if (!fresh && cached && Date.now() - cached.at < this.config.keyCacheMs) return cached.state;
    const { state } = await load(this.store, apiKeyStreamId(keyId), AGGREGATE);
    this.remember(keyId, state);
    return state;
  }

  private remember(keyId: string, state: ApiKeyState): void {
    this.cache.delete(keyId);
    // Unknown key ids are cached too (briefly), so guessing ids cannot make every request a read.
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(keyId, { state, at: Date.now() });
  }

  /**
   * The first start creates `jsk_admin_…` with every right on every tenant and prints it once.
   * The `no_stream` append is the lock: of two gateways starting together only one creates it.
   */
  private async bootstrapAdminKey(): Promise<void> {
    const streamId = apiKeyStreamId(BOOTSTRAP_KEY_ID);
    const { state } = await load(this.store, streamId, AGGREGATE);
    const provided = this.config.adminKey;
    if (state.exists) {
      if (provided && (state.revoked || state.secretHash === null || !secretMatches(provided.secret, state.secretHash))) {
        this.logger.warn('JOBSTREAM_ADMIN_KEY differs from the stored admin key (rotated or revoked since); the stored one stays');
      }
      return;
    }
    const token = provided ?? { keyId: BOOTSTRAP_KEY_ID, secret: newSecret() };
    const ctx = this.contextOf({ actor: 'service:gateway', correlationId: randomUUID(), causationId: null });
    const events = decideApiKey(
      { type: 'create', keyId: BOOTSTRAP_KEY_ID, name: 'bootstrap admin', tenants: '*', rights: ['sys.admin'], secretHash: hashSecret(token.secret), expiresAt: null },
      initialApiKeyState,
      ctx,
    );
    try {
      await this.store.append(streamId, events, 'no_stream');
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        this.logger.log('another gateway created the admin key first');
        return;
      }
      throw error;
    }
    this.remember(BOOTSTRAP_KEY_ID, events.reduce(evolveApiKey, initialApiKeyState));
    if (provided) {
      this.logger.log('admin key provisioned from JOBSTREAM_ADMIN_KEY');
      return;
    }
    const key = formatApiKey(token);
    this.logger.warn(`bootstrap admin key created (right sys.admin, tenants *); it is shown only this once: ${key}`);
    process.stdout.write(`\njobstream admin API key (shown once, store it now): ${key}\n\n`);
  }
}
