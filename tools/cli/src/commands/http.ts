import { CliError, type GatewayClient } from '../client';

/** A request whose answer is read as text (plain ids, XML) or with a chosen Accept header. */
export async function requestText(
  client: GatewayClient,
  method: string,
  path: string,
  options: { body?: string; contentType?: string; accept?: string } = {},
): Promise<string> {
  let res: Response;
  try {
    res = await fetch(client.url(path), {
      method,
      headers: client.headers({
        ...(options.body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
        ...(options.accept ? { accept: options.accept } : {}),
      }),
      body: options.body,
    });
  } catch (error) {
    throw new CliError(`cannot reach ${client.config.url}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let reason = text || res.statusText;
    try {
      reason = (JSON.parse(text) as { message?: string }).message ?? reason;
    } catch {
      // Not JSON: the text is the reason.
    }
    throw new CliError(`${method} ${path} failed with ${res.status}: ${reason.split('\n')[0]}`);
  }
  return text;
}

export const jobPath = (jobId: string) => `/jobs/${encodeURIComponent(jobId)}`;
