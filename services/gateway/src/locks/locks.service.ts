import { Inject, Injectable } from '@nestjs/common';
import { validateDto } from '@jobstream/contracts';
import type { LockTableEntry } from '@jobstream/domain';
import { LOCK_SUBJECTS, NATS_CONNECTION, rpc, RpcError } from '@jobstream/messaging';
import { ErrorCode, NatsError, type NatsConnection } from 'nats';
import { ApiError } from '../errors/api-error';
import type { Caller } from '../jobs/caller';
import { requireTenant } from '../jobs/jobs.service';
import { ForceReleaseBody } from './lock-requests.dto';

const LOCKS_TIMEOUT_MS = 5_000;

export interface LockTableAnswer {
  resources: LockTableEntry[];
}

function requireResource(resource: unknown): string {
  if (typeof resource !== 'string' || resource.trim() === '' || resource.length > 200) {
    throw ApiError.badRequest('resource', 'resource must be a non-empty string of at most 200 characters');
  }
  return resource;
}

/** The lock manager answers refusals as {code, message, field?}, the domain's error codes. */
function lockManagerFailure(error: unknown): ApiError {
  if (error instanceof NatsError && (error.code === ErrorCode.NoResponders || error.code === ErrorCode.Timeout)) {
    const why = error.code === ErrorCode.NoResponders ? 'no lock manager is running' : 'the lock manager did not answer in time';
    return new ApiError(503, `locks are unavailable: ${why}`);
  }
  if (error instanceof RpcError) {
    const payload = (error.payload ?? {}) as { code?: unknown; field?: unknown };
    if (payload.code === 'NOT_FOUND') return ApiError.notFound(error.message);
    if (payload.code === 'INVALID_ARGUMENT') return ApiError.badRequest(typeof payload.field === 'string' ? payload.field : '(body)', error.message);
    return new ApiError(502, `the lock manager failed: ${error.message}`);
  }
  return new ApiError(503, 'locks are unavailable: the lock manager could not be reached');
}

/** The lock table lives in the lock manager; the gateway validates, asks it over NATS and maps its answers. */
@Injectable()
export class LocksService {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async table(tenantParam: unknown): Promise<LockTableAnswer> {
    const tenant = requireTenant(tenantParam);
    try {
      return await rpc<LockTableAnswer>(this.nc, LOCK_SUBJECTS.table, { tenant }, LOCKS_TIMEOUT_MS);
    } catch (error) {
      throw lockManagerFailure(error);
    }
  }

  async forceRelease(tenantParam: unknown, resourceParam: unknown, body: unknown, caller: Caller): Promise<LockTableEntry> {
    const tenant = requireTenant(tenantParam);
    const resource = requireResource(resourceParam);
    const checked = validateDto(ForceReleaseBody, body ?? {});
    if (!checked.ok) throw ApiError.invalid(checked.errors);
    const { reason } = checked.value;
    try {
      return await rpc<LockTableEntry>(
        this.nc,
        LOCK_SUBJECTS.forceRelease,
        { tenant, resource, actor: caller.actor, correlationId: caller.correlationId, ...(reason !== undefined && { reason }) },
        LOCKS_TIMEOUT_MS,
      );
    } catch (error) {
      throw lockManagerFailure(error);
    }
  }
}
