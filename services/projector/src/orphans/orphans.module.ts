import { Module } from '@nestjs/common';
import { ActiveJobsController } from './active-jobs.controller';
import { OrphansService } from './orphans.service';

/** Orphan detection (seed Activate) and the cross-tenant active-jobs query. */
@Module({ controllers: [ActiveJobsController], providers: [OrphansService] })
export class OrphansModule {}
