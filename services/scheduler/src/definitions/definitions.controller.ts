import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { StartDefinitionRunDto, validateDto, type StartDefinitionRunAnswer } from '@jobstream/contracts';
import { isDomainError, type DomainErrorCode } from '@jobstream/domain';
import { DEFINITION_SUBJECTS } from '@jobstream/messaging';
import { DefinitionRunsService } from './definition-runs.service';

const STATUS: Record<DomainErrorCode, number> = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ILLEGAL_TRANSITION: 409,
  NOT_OWNER: 409,
  INVALID_ARGUMENT: 400,
};

/** `definitions.start` over NATS; refusals travel as RpcException({status, message, field?}). */
@Controller()
export class DefinitionsController {
  constructor(private readonly runs: DefinitionRunsService) {}

  @MessagePattern(DEFINITION_SUBJECTS.start)
  async start(@Payload() data: unknown): Promise<StartDefinitionRunAnswer> {
    const result = validateDto(StartDefinitionRunDto, data);
    if (!result.ok) throw new RpcException({ status: 400, field: result.errors[0].field, message: result.errors[0].message });
    const { tenant, definitionId, trigger, actor, correlationId, causationId } = result.value;
    try {
      return await this.runs.startRun(tenant, definitionId, trigger, { actor, correlationId, causationId: causationId ?? null });
    } catch (error) {
      if (isDomainError(error)) throw new RpcException({ status: STATUS[error.code], code: error.code, message: error.message });
      throw error;
    }
  }
}
