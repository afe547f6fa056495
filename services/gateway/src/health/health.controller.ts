import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { NATS_CONNECTION, SERVICES, subjects } from '@jobstream/messaging';
import type { Response } from 'express';
import { JSONCodec, NatsConnection } from 'nats';

const codec = JSONCodec();

/** 200 only when every service answers its NATS health subject: one probe for the whole system. */
@Controller()
export class HealthController {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const services: Record<string, 'up' | 'down'> = { gateway: 'up' };
    await Promise.all(
      SERVICES.filter((s) => s !== 'gateway').map(async (service) => {
        try {
          // Nest's NATS transport expects its {pattern, data, id} envelope.
          const pattern = subjects.health(service);
          await this.nc.request(pattern, codec.encode({ pattern, data: {}, id: '1' }), { timeout: 1000 });
          services[service] = 'up';
        } catch {
          services[service] = 'down';
        }
      }),
    );
    const up = Object.values(services).every((s) => s === 'up');
    res.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: up ? 'ok' : 'degraded', services });
  }
}
