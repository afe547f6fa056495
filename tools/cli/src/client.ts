import { CliConfig } from './config';

/** A failure to report as one line and a non-zero exit. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** REST calls to the gateway, tenant-scoped, with the API key when one is configured. */
export class GatewayClient {
  constructor(readonly config: CliConfig) {}

  url(path: string): string {
    return `${this.config.url}/${this.config.tenant}/api${path}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}), ...extra };
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': contentType }),
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${this.config.url}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const text = await res.text();
    const parsed = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    if (!res.ok) {
      const reason = typeof parsed === 'object' && parsed?.message ? parsed.message : text || res.statusText;
      throw new CliError(`${method} ${path} failed with ${res.status}: ${reason}`);
    }
    return parsed as T;
  }
}
