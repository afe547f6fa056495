import { TextDecoder } from 'node:util';

export const MAX_BODY_BYTES = 1024 * 1024;

// Only headers a following job is likely to act on: the rest (cookies, tracing, server noise) would
// bloat the job's recorded output and could leak session tokens into history.
const KEPT_HEADERS = ['content-type', 'content-length', 'etag', 'last-modified', 'location', 'retry-after', 'x-request-id'];

export function keptHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries(KEPT_HEADERS.flatMap((name) => (headers.has(name) ? [[name, headers.get(name) as string]] : [])));
}

function decoder(contentType: string): TextDecoder {
  const charset = /charset="?([^";]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}

/** Reads at most MAX_BODY_BYTES, then stops the download rather than buffering a huge body. */
export async function readCapped(response: Response): Promise<{ text: string; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  if (response.body) {
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const room = MAX_BODY_BYTES - size;
      chunks.push(read.value.subarray(0, room));
      size += Math.min(room, read.value.length);
      if (read.value.length > room) {
        truncated = true;
        await reader.cancel();
        break;
      }
    }
  }
  const bytes = Buffer.concat(chunks);
  return { text: decoder(response.headers.get('content-type') ?? '').decode(bytes), truncated };
}

/** JSON when the server says so and the whole body parses, text otherwise. */
export function parseBody(text: string, truncated: boolean, contentType: string): unknown {
  if (truncated || !/[/+]json\b/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
