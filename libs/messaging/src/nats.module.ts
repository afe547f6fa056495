import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { connectForService } from './coalesced-writes';
import { NatsConnection } from 'nats';
import { loadNatsConfig } from './config';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

@Injectable()
class NatsDrainer implements OnApplicationShutdown {
  private readonly logger = new Logger('nats');
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  /** Drain rather than close: in-flight replies and publishes are flushed before the socket goes. */
  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
    this.logger.log('NATS connection drained');
  }
}

/** One shared NATS connection per process, for core NATS, JetStream and KV alike. */
@Global()
@Module({})
export class NatsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: NatsModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const config = loadNatsConfig();
            const nc = await connectForService({
              servers: config.servers,
              user: config.user,
              pass: config.pass,
              name: service,
              maxReconnectAttempts: -1,
            });
            new Logger('nats').log(`connected to ${nc.getServer()}`);
            return nc;
          },
        },
        NatsDrainer,
      ],
      exports: [NATS_CONNECTION],
    };
  }
}
