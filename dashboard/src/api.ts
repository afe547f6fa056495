/** Talks to the gateway from the browser: the tenant and the API key live in localStorage. */
const KEY_STORAGE = 'jobstream.apiKey';
const TENANT_STORAGE = 'jobstream.tenant';

export const settings = {
  get apiKey(): string {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  },
  set apiKey(value: string) {
    if (value) localStorage.setItem(KEY_STORAGE, value);
    else localStorage.removeItem(KEY_STORAGE);
  },
  get tenant(): string {
    return localStorage.getItem(TENANT_STORAGE) || 'default';
  },
  set tenant(value: string) {
    localStorage.setItem(TENANT_STORAGE, value);
  },
};

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
  ...extra,
});

/** `path` is tenant-relative (`/jobs`) unless it starts with `//` (gateway-absolute, e.g. `//api/auth/whoami`). */
export const urlOf = (path: string): string => (path.startsWith('//') ? path.slice(1) : `/${encodeURIComponent(settings.tenant)}/api${path}`);

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(urlOf(path), {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, 'the gateway cannot be reached');
  }
  const text = await res.text();
  const json = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (!res.ok) {
    const message = typeof json === 'object' && json && 'message' in json ? String(json.message) : text || res.statusText;
    throw new ApiFailure(res.status, `${res.status}: ${message}`);
  }
  return json as T;
}

export interface StreamEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Server-sent events over fetch rather than EventSource, because EventSource cannot send the
 * Authorization header. Reconnects after a pause while `signal` is not aborted; `onOpen` runs on every
 * (re)connection so the caller can reload what it may have missed.
 */
export function stream(path: string, onEvent: (e: StreamEvent) => void, signal: AbortSignal, onOpen?: () => void): void {
  let lastId: string | undefined;
  const connect = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        const res = await fetch(urlOf(path), { headers: headers(lastId ? { 'last-event-id': lastId } : {}), signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onOpen?.();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const e: StreamEvent = { event: 'message', data: '' };
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              const field = colon < 0 ? line : line.slice(0, colon);
              const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
              if (field === 'event') e.event = val;
              else if (field === 'data') e.data += (e.data ? '\n' : '') + val;
              else if (field === 'id') e.id = lastId = val;
            }
            if (e.data) onEvent(e);
          }
        }
        // A per-job stream ends on purpose once the job settled: the caller decides to reopen.
        if (path.endsWith('/events') && path.includes('/jobs/')) return;
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void connect();
}

export interface Whoami {
  actor: string;
  authentication?: 'off';
  permissions?: string[];
}
