import { Controller } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { JobState } from '@jobstream/domain';
import { ACTIVE_JOBS_QUERY, type ActiveJob, type ActiveJobsReply } from '@jobstream/messaging';
import { READ_MODEL } from '../config';
import type { ReadModel } from '../read-model/read-model';

/**
 * Cross-tenant list of RUNNING and TIMED_OUT jobs with the checkpoint it reflects: the deadline watcher
 * starts from it, and a restarting executor finds the jobs it still owns (`executorId` filter).
 */
@Controller()
export class ActiveJobsController {
  constructor(private readonly moduleRef: ModuleRef) {}

  @MessagePattern(ACTIVE_JOBS_QUERY)
  activeJobs(@Payload() data: { executorId?: unknown } | null): ActiveJobsReply {
    const executorId = typeof data?.executorId === 'string' ? data.executorId : undefined;
    const { position, jobs } = this.moduleRef.get<ReadModel>(READ_MODEL, { strict: false }).activeJobs();
    const active = jobs.map(({ tenant, jobId, status, state }): ActiveJob => {
      const job = JSON.parse(state) as JobState;
      return {
        tenant,
        jobId,
        status: status as ActiveJob['status'],
        executorId: status === 'RUNNING' ? job.executorId : job.previousExecutorId,
        updatedAt: job.updatedAt as string,
        timeouts: job.timeouts,
      };
    });
    return { position, jobs: executorId === undefined ? active : active.filter((j) => j.executorId === executorId) };
  }
}
