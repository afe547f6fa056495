import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import { loadServerCertificate, type ServerCertificate } from './certificates';
import { loadGatewaySettings } from './gateway-settings';

export interface CertificateInfo {
  port: number;
  thumbprint: string;
  file: string;
  subject: string;
  validTo: string;
}

const CLOSE_GRACE_MS = 5_000;

const infoOf = (port: number, c: ServerCertificate): CertificateInfo => ({ port, thumbprint: c.thumbprint, file: c.file, subject: c.subject, validTo: c.validTo });

/**
 * The HTTPS listener of seed Activate's OrchestratorPorts: the same Express app as the HTTP port,
 * bound to the certificate whose thumbprint is configured. A reload swaps the secure context of the
 * running server: open connections keep their session, new handshakes get the new certificate.
 */
@Injectable()
export class HttpsListener implements OnApplicationShutdown {
  private readonly logger = new Logger('https');
  private server?: Server;
  private current?: CertificateInfo;

  async listen(app: RequestListener, port: number, host: string, certificate: ServerCertificate): Promise<CertificateInfo> {
    const server = createServer({ cert: certificate.cert, key: certificate.key }, app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.current = infoOf(port, certificate);
    return this.current;
  }

  /** Re-reads CONFIG_FILE / the environment and CERT_DIR; on any problem the running certificate stays. */
  reload(): CertificateInfo {
    if (!this.server || !this.current) throw new Error('HTTPS is not enabled: ORCHESTRATOR_PORTS had no HTTPS part at start-up (restart to add it)');
    const settings = loadGatewaySettings();
    if (!settings.ports.https) throw new Error('ORCHESTRATOR_PORTS no longer has an HTTPS part; the running certificate stays');
    if (settings.ports.https.port !== this.current.port) {
      this.logger.warn(`HTTPS port ${settings.ports.https.port} differs from the running ${this.current.port}: a port change needs a restart`);
    }
    const certificate = loadServerCertificate(settings.certDir, settings.ports.https.thumbprint);
    this.server.setSecureContext({ cert: certificate.cert, key: certificate.key });
    this.current = infoOf(this.current.port, certificate);
    this.logger.log(`HTTPS now serves certificate ${certificate.thumbprint} (${certificate.file})`);
    return this.current;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }
}
