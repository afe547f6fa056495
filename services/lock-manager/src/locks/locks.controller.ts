import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { isIdentifier } from '@jobstream/contracts';
import { isDomainError, type LockTableEntry } from '@jobstream/domain';
import { LOCK_SUBJECTS } from '@jobstream/messaging';
import { LockReactorService } from './lock-reactor.service';

export interface LockTableRequest {
  tenant: string;
}

export interface ForceReleaseMessage {
  tenant: string;
  resource: string;
  actor: string;
  reason?: string;
  correlationId?: string;
}

/** What the lock manager answers when it refuses: the domain's code and the field at fault. */
export interface LockRpcError {
  code: 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'ILLEGAL_TRANSITION' | 'ALREADY_EXISTS' | 'NOT_OWNER';
  message: string;
  field?: string;
}

const invalid = (field: string, message: string) =>
  new RpcException({ code: 'INVALID_ARGUMENT', message: `${field}: ${message}`, field } satisfies LockRpcError);

function requireString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw invalid(field, `must be a non-empty string of at most ${max} characters`);
  return value;
}

@Controller()
export class LocksController {
  constructor(private readonly reactor: LockReactorService) {}

  @MessagePattern(LOCK_SUBJECTS.table)
  async table(@Payload() request: LockTableRequest): Promise<{ resources: LockTableEntry[] }> {
    if (!isIdentifier(request?.tenant)) throw invalid('tenant', 'must be a tenant identifier');
    return { resources: await this.reactor.manager.view(request.tenant) };
  }

  @MessagePattern(LOCK_SUBJECTS.forceRelease)
  async forceRelease(@Payload() request: ForceReleaseMessage): Promise<LockTableEntry> {
    if (!isIdentifier(request?.tenant)) throw invalid('tenant', 'must be a tenant identifier');
    const resource = requireString(request.resource, 'resource', 200);
    const actor = requireString(request.actor, 'actor', 200);
    if (request.reason !== undefined) requireString(request.reason, 'reason', 1000);
    try {
      return await this.reactor.manager.forceRelease({
        tenant: request.tenant,
        resource,
        actor,
        ...(request.reason !== undefined && { reason: request.reason }),
        ...(typeof request.correlationId === 'string' && { correlationId: request.correlationId }),
      });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      const field = typeof error.details.field === 'string' ? error.details.field : undefined;
      throw new RpcException({ code: error.code, message: error.message, ...(field !== undefined && { field }) } satisfies LockRpcError);
    }
  }
}
