import { Module } from '@nestjs/common';
import { DeadlineWatcherService } from './deadline-watcher.service';

/** First and second deadlines of running jobs (time-outs and watcher failures). */
@Module({ providers: [DeadlineWatcherService] })
export class DeadlinesModule {}
