export interface GatewayPorts {
  http: number;
  https?: { port: number; thumbprint: string };
}

/**
 * Seed Activate's OrchestratorPorts: "6030;6031 <thumbprint>" = HTTP port; HTTPS port and the
 * SHA-1 thumbprint of the certificate it binds. The HTTPS part is optional.
 */
export function parseOrchestratorPorts(value = '6030'): GatewayPorts {
  const [httpPart, httpsPart] = value.split(';').map((p) => p.trim());
  const http = Number(httpPart);
  if (!Number.isInteger(http) || http < 0 || http > 65535) {
    throw new Error(`ORCHESTRATOR_PORTS: "${httpPart}" is not a valid HTTP port`);
  }
  if (!httpsPart) return { http };
  const [portText, thumbprint] = httpsPart.split(/\s+/);
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`ORCHESTRATOR_PORTS: "${portText}" is not a valid HTTPS port`);
  }
  if (!thumbprint || !/^[0-9a-fA-F]{40}$/.test(thumbprint)) {
    throw new Error('ORCHESTRATOR_PORTS: the HTTPS port needs a 40-hex-digit SHA-1 certificate thumbprint');
  }
  return { http, https: { port, thumbprint: thumbprint.toLowerCase() } };
}
