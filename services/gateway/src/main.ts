import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { loadNatsConfig } from '@jobstream/messaging';
import { Logger } from 'nestjs-pino';
import { GatewayModule } from './app.module';
import { parseOrchestratorPorts } from './config';
import { configureHttp, HTTP_APP_OPTIONS } from './errors/http-setup';

async function main() {
  const ports = parseOrchestratorPorts(process.env.ORCHESTRATOR_PORTS);
  const app = await NestFactory.create(GatewayModule, { ...HTTP_APP_OPTIONS, bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  configureHttp(app);
  const nats = loadNatsConfig();
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.NATS,
    options: { servers: nats.servers, user: nats.user, pass: nats.pass, queue: 'gateway', name: 'gateway-rpc' },
  });
  await app.startAllMicroservices();
  await app.listen(ports.http, process.env.GATEWAY_HOST ?? '0.0.0.0');
  logger.log(`gateway listening on http://localhost:${ports.http}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
