import { Controller, Get, Inject, Param } from '@nestjs/common';
import { FLEET_BUCKETS, listExecutors, NATS_CONNECTION, type ExecutorRecord } from '@jobstream/messaging';
import type { KV, NatsConnection } from 'nats';
import type { ExecutorView } from '@jobstream/contracts';
import { ApiError } from '../errors/api-error';
import { requireTenant } from '../jobs/jobs.service';

const viewOf = (tenant: string, r: ExecutorRecord): ExecutorView => ({
  executorId: r.executorId,
  host: r.host,
  types: r.types,
  capacity: r.capacity,
  inFlight: r.inFlight,
  startedAt: r.startedAt,
  lastSeenAt: r.seenAt,
  scaledJobs: r.scaled.filter((s) => s.tenant === tenant).map((s) => s.jobId),
});

/**
 * The executor fleet as registered in NATS KV: every executor alive now, whatever tenant asks (executors
 * serve all tenants). An executor that stops refreshing its entry drops out after its TTL.
 */
@Controller(':tenant/api')
export class ExecutorsController {
  private kv?: KV;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  @Get('executors')
  async list(@Param('tenant') tenant: string): Promise<{ items: ExecutorView[] }> {
    requireTenant(tenant);
    const kv = await this.bucket();
    if (!kv) return { items: [] };
    try {
      return { items: (await listExecutors(kv)).map((r) => viewOf(tenant, r)) };
    } catch (error) {
      throw new ApiError(503, `the executor registry is unavailable: ${(error as Error).message}`);
    }
  }

  /** Binds without creating: until an executor has registered there is no bucket and no executor. */
  private async bucket(): Promise<KV | undefined> {
    if (this.kv) return this.kv;
    try {
      this.kv = await this.nc.jetstream().views.kv(FLEET_BUCKETS.executors, { bindOnly: true });
      return this.kv;
    } catch (error) {
      if (/not found/i.test((error as Error).message)) return undefined;
      throw new ApiError(503, `the executor registry is unavailable: ${(error as Error).message}`);
    }
  }
}
