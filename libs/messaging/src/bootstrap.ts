import { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';
import { loadNatsConfig } from './config';
import { closeOnSignals } from './shutdown';
import { ServiceName } from './subjects';

/**
 * Starts a NATS-only service: request-reply handlers (@MessagePattern) in a queue group named after
 * the service, so several instances share the load, and graceful shutdown on SIGTERM/SIGINT.
 */
export async function bootstrapService(service: ServiceName, module: Type<unknown>): Promise<INestMicroservice> {
  const nats = loadNatsConfig();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    transport: Transport.NATS,
    options: { servers: nats.servers, user: nats.user, pass: nats.pass, queue: service, name: `${service}-rpc` },
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  closeOnSignals(app, app.get(Logger));
  await app.listen();
  app.get(Logger).log(`${service} ready`);
  return app;
}
