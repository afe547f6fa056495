import { Module } from '@nestjs/common';
import { ExecutorsController } from './executors.controller';

@Module({ controllers: [ExecutorsController] })
export class ExecutorsModule {}
