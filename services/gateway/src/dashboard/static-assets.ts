import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

/** dashboard/dist of the repository (the `dashboard` project's build); DASHBOARD_DIR overrides it. */
export function dashboardDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DASHBOARD_DIR ?? join(__dirname, '..', '..', '..', '..', 'dashboard', 'dist'));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  body: Buffer;
  contentType: string;
}

/**
 * The built files, read once at start-up: a handful of small files, and serving them from memory
 * means no path from a URL ever reaches the file system.
 */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of ['index.html', 'app.js', 'app.css', 'app.js.map']) {
    const file = join(dir, name);
    if (existsSync(file)) assets.set(name, { body: readFileSync(file), contentType: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return assets;
}
