import { Module } from '@nestjs/common';
import { LockReactorService } from './lock-reactor.service';
import { LocksController } from './locks.controller';

@Module({
  controllers: [LocksController],
  providers: [LockReactorService],
})
export class LocksModule {}
