import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { AbortError, InvalidPayloadError, throwIfAborted } from './errors';
import { keptHeaders, parseBody, readCapped } from './http-response';
import { isPlainObject, onlyFields, optionalInteger, Payload } from './payload';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

function parseUrl(value: unknown): URL {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol)) throw new InvalidPayloadError('url', 'must be an absolute http(s) URL');
  // fetch refuses them anyway; and they would be shown in history and failure messages.
  if (url.username || url.password) throw new InvalidPayloadError('url', 'must not contain credentials (use payload.headers)');
  return url;
}

function parseMethod(value: unknown): string {
  if (value === undefined) return 'GET';
  const method = typeof value === 'string' ? value.toUpperCase() : '';
  if (!METHODS.includes(method)) throw new InvalidPayloadError('method', `must be one of ${METHODS.join(', ')}`);
  return method;
}

function parseHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new InvalidPayloadError('headers', 'must be an object of string values');
  }
  return Object.fromEntries(Object.entries(value).map(([name, v]) => [name.toLowerCase(), v as string]));
}

export function parseHttpPayload(payload: Payload): HttpRequest {
  onlyFields(payload, ['url', 'method', 'headers', 'body', 'timeoutMs']);
  const url = parseUrl(payload.url);
  const method = parseMethod(payload.method);
  const headers = parseHeaders(payload.headers);
  const timeoutMs = optionalInteger(payload, 'timeoutMs', 1, 300_000, 10_000);
  if (payload.body === undefined) return { url, method, headers, timeoutMs };
  if (method === 'GET' || method === 'HEAD') throw new InvalidPayloadError('body', `is not allowed with ${method}`);
  if (typeof payload.body === 'string') return { url, method, headers, body: payload.body, timeoutMs };
  return { url, method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload.body), timeoutMs };
}

/**
 * Calls an HTTP endpoint. 2xx completes with {status, headers, body}; any other status is a
 * reported failure naming it; network errors and time-outs throw, so the retry policy applies.
 */
@JobHandler('http')
export class HttpHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    const request = parseHttpPayload(ctx.payload);
    throwIfAborted(ctx.signal);
    const target = `${request.method} ${request.url.href}`;
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(request.timeoutMs)]);
    try {
      const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal });
      const { text, truncated } = await readCapped(response);
      if (!response.ok) {
        const excerpt = text.trim().slice(0, 200);
        const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        return { failed: { message: `${status} from ${target}${excerpt ? `: ${excerpt}` : ''}` } };
      }
      const body = parseBody(text, truncated, response.headers.get('content-type') ?? '');
      return { output: { status: response.status, headers: keptHeaders(response.headers), body, ...(truncated && { truncated }) } };
    } catch (error) {
      if (ctx.signal.aborted) throw new AbortError(`${target} was cancelled`, { cause: error });
      if (signal.aborted) throw new HttpTimeoutError(`${target} timed out after ${request.timeoutMs} ms`, { cause: error });
      throw new HttpRequestError(`${target} failed: ${describe(error)}`, { cause: error });
    }
  }
}

export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
}

export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
}

// fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND...) in its cause.
// Duck-typed: errors from Node internals fail `instanceof Error` inside test sandboxes.
function describe(error: unknown): string {
  const message = (value: unknown) =>
    typeof value === 'object' && value !== null && 'message' in value ? String(value.message) : String(value);
  const cause = typeof error === 'object' && error !== null && 'cause' in error ? error.cause : undefined;
  return cause === undefined ? message(error) : `${message(error)} (${message(cause)})`;
}
