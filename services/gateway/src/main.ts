import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { closeOnSignals, loadNatsConfig } from '@jobstream/messaging';
import type { RequestListener } from 'node:http';
import { Logger } from 'nestjs-pino';
import { GatewayModule } from './app.module';
import { configureHttp, HTTP_APP_OPTIONS } from './errors/http-setup';
import { setupOpenApi } from './openapi/openapi';
import { loadServerCertificate } from './tls/certificates';
import { loadGatewaySettings } from './tls/gateway-settings';
import { HttpsListener } from './tls/https-listener';

async function main() {
  const settings = loadGatewaySettings();
  // Checked before anything starts: a thumbprint without its certificate is a start-up error naming it.
  const certificate = settings.ports.https && loadServerCertificate(settings.certDir, settings.ports.https.thumbprint);
  const app = await NestFactory.create(GatewayModule, { ...HTTP_APP_OPTIONS, bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // SIGTERM/SIGINT stop gracefully; SIGHUP is not a shutdown here: it reloads the certificate.
  closeOnSignals(app, logger);
  configureHttp(app);
  setupOpenApi(app);
  const nats = loadNatsConfig();
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.NATS,
    options: { servers: nats.servers, user: nats.user, pass: nats.pass, queue: 'gateway', name: 'gateway-rpc' },
  });
  await app.startAllMicroservices();
  const host = process.env.GATEWAY_HOST ?? '0.0.0.0';
  await app.listen(settings.ports.http, host);
  logger.log(`gateway listening on http://localhost:${settings.ports.http}`);
  const https = app.get(HttpsListener);
  if (settings.ports.https && certificate) {
    const served = await https.listen(app.getHttpAdapter().getInstance() as RequestListener, settings.ports.https.port, host, certificate);
    logger.log(`gateway listening on https://localhost:${served.port} with certificate ${served.thumbprint} (${served.file})`);
  }
  process.on('SIGHUP', () => {
    try {
      const reloaded = https.reload();
      logger.log(`SIGHUP: certificate reloaded: ${reloaded.thumbprint} (${reloaded.file})`);
    } catch (error) {
      logger.error(`SIGHUP: certificate reload failed, the running one stays: ${(error as Error).message}`);
    }
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
