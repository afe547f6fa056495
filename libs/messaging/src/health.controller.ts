import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ServiceName, subjects } from './subjects';

export interface HealthReply {
  service: ServiceName;
  status: 'ok';
  pid: number;
  uptimeSeconds: number;
}

/** Answers `health.<service>`: a reply at all proves the process and its NATS link are up. */
export function healthController(service: ServiceName) {
  @Controller()
  class HealthController {
    @MessagePattern(subjects.health(service))
    health(): HealthReply {
      return { service, status: 'ok', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) };
    }
  }
  return HealthController;
}
