import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import {
  GetDefinitionQueryDto,
  GetJobQueryDto,
  JOB_LIST_DEFAULT_LIMIT,
  JobStatsQueryDto,
  ListDefinitionsQueryDto,
  ListJobsQueryDto,
  PROJECTOR_QUERIES,
  validateDto,
  type DefinitionSummary,
  type JobPage,
  type JobStats,
  type JobSummary,
  type ProjectorStatus,
} from '@jobstream/contracts';
import { subjects } from '@jobstream/messaging';
import { PROJECTOR, READ_MODEL } from './config';
import type { Projector } from './projector';
import { decodeCursor, InvalidCursorError, type JobCursor } from './read-model/cursor';
import type { ReadModel } from './read-model/read-model';

const badRequest = (field: string, message: string) => new RpcException({ status: 400, field, message });

function validated<T extends object>(cls: new () => T, data: unknown): T {
  const result = validateDto(cls, data);
  if (!result.ok) throw badRequest(result.errors[0].field, result.errors[0].message);
  return result.value;
}

function cursorOf(cursor: string | undefined): JobCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    return decodeCursor(cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badRequest('cursor', error.message);
    throw error;
  }
}

/** Read-model queries over NATS request-reply; every instance answers from its own, equally complete, file. */
@Controller()
export class QueryController {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    @Inject(PROJECTOR) private readonly projector: Projector,
  ) {}

  @MessagePattern(subjects.query(PROJECTOR_QUERIES.jobsList))
  listJobs(@Payload() data: unknown): JobPage {
    const q = validated(ListJobsQueryDto, data);
    return this.readModel.listJobs({
      tenant: q.tenant,
      status: q.status,
      type: q.type,
      since: q.since,
      definitionId: q.definitionId,
      cursor: cursorOf(q.cursor),
      limit: q.limit ?? JOB_LIST_DEFAULT_LIMIT,
    });
  }

  @MessagePattern(subjects.query(PROJECTOR_QUERIES.jobsGet))
  getJob(@Payload() data: unknown): JobSummary | null {
    const q = validated(GetJobQueryDto, data);
    return this.readModel.getJob(q.tenant, q.jobId);
  }

  @MessagePattern(subjects.query(PROJECTOR_QUERIES.jobsStats))
  jobStats(@Payload() data: unknown): JobStats {
    return this.readModel.jobStats(validated(JobStatsQueryDto, data).tenant);
  }

  @MessagePattern(subjects.query(PROJECTOR_QUERIES.definitionsList))
  listDefinitions(@Payload() data: unknown): DefinitionSummary[] {
    return this.readModel.listDefinitions(validated(ListDefinitionsQueryDto, data).tenant);
  }

  @MessagePattern(subjects.query(PROJECTOR_QUERIES.definitionsGet))
  getDefinition(@Payload() data: unknown): DefinitionSummary | null {
    const q = validated(GetDefinitionQueryDto, data);
    return this.readModel.getDefinition(q.tenant, q.definitionId);
  }

  /** Takes no parameters: whatever the request carries is ignored. */
  @MessagePattern(subjects.query(PROJECTOR_QUERIES.status))
  status(): ProjectorStatus {
    return this.projector.status();
  }
}
