import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { AUTH_CONFIG, loadAuthConfig, type AuthConfig } from './auth-config';
import { Authenticator } from './authenticator';
import { NoBodyGuard } from './input-hardening';
import { registerNatsAuthenticator } from './nats-auth';
import { RateLimitGuard } from './rate-limit.guard';
import { HitLogStorage } from './rate-limit-storage';

const config = (): AuthConfig => loadAuthConfig();

/** Authentication, RBAC and rate limits for every gateway route (docs/security.md). */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      useFactory: () => {
        const limit = loadAuthConfig().rateLimitPerMinute;
        // 0 turns limiting off; Throttler cannot express "no limit", so every request skips it instead.
        return {
          throttlers: [{ name: 'default', ttl: 60_000, limit: limit === 0 ? Number.MAX_SAFE_INTEGER : limit }],
          storage: new HitLogStorage(),
          ...(limit === 0 && { skipIf: () => true }),
        };
      },
    }),
  ],
  controllers: [ApiKeysController],
  providers: [
    { provide: AUTH_CONFIG, useFactory: config },
    ApiKeysService,
    Authenticator,
    // Guards run in this order: who you are and what you may do, how often, then what you send.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: NoBodyGuard },
  ],
  exports: [Authenticator, ApiKeysService],
})
export class AuthModule implements OnModuleInit {
  constructor(@Inject(Authenticator) private readonly authenticator: Authenticator) {}

  onModuleInit(): void {
    registerNatsAuthenticator(this.authenticator);
  }
}
