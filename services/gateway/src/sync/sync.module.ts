import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { LiveModule } from '../live/live.module';
import { TlsModule } from '../tls/tls.module';
import { MixedService } from './mixed.service';
import { NatsSyncListener } from './nats-sync.listener';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

/** Seed Activate: synchronous jobs need the HTTP and HTTPS ports, so the TLS listener comes with them. */
@Module({
  imports: [JobsModule, LiveModule, TlsModule],
  controllers: [SyncController],
  providers: [SyncService, MixedService, NatsSyncListener],
})
export class SyncModule {}
