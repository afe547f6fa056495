import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller';
import { HttpsListener } from './https-listener';

@Module({
  controllers: [AdminController],
  providers: [HttpsListener],
  exports: [HttpsListener],
})
export class TlsModule {}
