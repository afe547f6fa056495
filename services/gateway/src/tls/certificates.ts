import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

export interface ServerCertificate {
  /** SHA-1 of the DER certificate, lowercase hex without separators (what Windows calls the thumbprint). */
  thumbprint: string;
  file: string;
  subject: string;
  validTo: string;
  /** PEM as read, chain included, and its private key. */
  cert: Buffer;
  key: Buffer;
}

export class CertificateNotFoundError extends Error {
  constructor(thumbprint: string, certDir: string, found: string[]) {
    const seen = found.length > 0 ? `found: ${found.join(', ')}` : 'it holds no certificate';
    super(`ORCHESTRATOR_PORTS: no certificate with thumbprint ${thumbprint} in ${certDir} (${seen})`);
    this.name = 'CertificateNotFoundError';
  }
}

const CERT_EXTENSIONS = new Set(['.crt', '.pem']);

export const thumbprintOf = (certificate: X509Certificate): string => certificate.fingerprint.replace(/:/g, '').toLowerCase();

/**
 * Finds the certificate whose SHA-1 thumbprint matches (case-insensitive) among `<name>.crt` /
 * `<name>.pem` files of `certDir`, with its key in `<name>.key`. Files that are not certificates
 * (e.g. a key saved as .pem) are skipped; a certificate whose key is missing or does not match is an error.
 */
export function loadServerCertificate(certDir: string, thumbprint: string): ServerCertificate {
  const wanted = thumbprint.toLowerCase();
  if (!existsSync(certDir)) throw new CertificateNotFoundError(wanted, certDir, []);
  const found: string[] = [];
  for (const name of readdirSync(certDir).sort()) {
    if (!CERT_EXTENSIONS.has(extname(name))) continue;
    const file = join(certDir, name);
    const cert = readFileSync(file);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(cert);
    } catch {
      continue;
    }
    const print = thumbprintOf(certificate);
    found.push(`${name} ${print}`);
    if (print !== wanted) continue;
    const keyFile = join(certDir, `${basename(name, extname(name))}.key`);
    if (!existsSync(keyFile)) throw new Error(`certificate ${file} (thumbprint ${wanted}) has no key file ${keyFile}`);
    const key = readFileSync(keyFile);
    if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error(`${keyFile} is not the private key of ${file}`);
    return { thumbprint: print, file, subject: certificate.subject, validTo: certificate.validTo, cert, key };
  }
  throw new CertificateNotFoundError(wanted, certDir, found);
}
