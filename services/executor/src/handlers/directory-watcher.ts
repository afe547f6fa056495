import { FSWatcher, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { JobContext } from '../sdk/job-handler';

export interface FoundFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface DirectoryWatcherOptions {
  directory: string;
  matches: (name: string) => boolean;
  pollMs: number;
  /** Resolves true once the file is dealt with; false to be offered it again on a later scan. */
  onFile: (file: FoundFile) => Promise<boolean>;
  log: JobContext['log'];
}

/**
 * Offers each matching regular file once per (name, mtime). fs.watch makes it quick where it works;
 * polling every `pollMs` makes it correct where it does not (network shares, some containers).
 * A file is offered only once it is settled (unchanged for a while, or last modified a while ago),
 * so one still being written is not picked up half-way.
 */
export class DirectoryWatcher {
  private readonly settleMs: number;
  private readonly handled = new Map<string, number>();
  private readonly seen = new Map<string, { size: number; mtimeMs: number; since: number }>();
  private watcher?: FSWatcher;
  private pollTimer?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private rescan = false;
  private stopped = false;
  private lastError?: string;

  constructor(private readonly options: DirectoryWatcherOptions) {
    this.settleMs = Math.min(options.pollMs, 1_000);
  }

  start(): void {
    try {
      this.watcher = watch(this.options.directory, { persistent: false }, () => this.requestScan());
      this.watcher.on('error', (error) => this.dropWatcher(error));
    } catch (error) {
      this.dropWatcher(error);
    }
    this.pollTimer = setInterval(() => this.requestScan(), this.options.pollMs);
    this.requestScan();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.pollTimer);
    clearTimeout(this.recheckTimer);
    await this.scanning;
  }

  private dropWatcher(error: unknown): void {
    this.options.log.warn('fs.watch unavailable, polling only', { directory: this.options.directory, error });
    this.watcher?.close();
    this.watcher = undefined;
  }

  private requestScan(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = (async () => {
      do {
        this.rescan = false;
        await this.scan().catch((error: Error) => this.reportScanError(error));
      } while (this.rescan && !this.stopped);
      this.scanning = undefined;
    })();
  }

  // A vanished share fails every poll: say so once per distinct error, not once a second.
  private reportScanError(error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.options.log.warn('directory scan failed', { directory: this.options.directory, error: error.message });
  }

  private async scan(): Promise<void> {
    const names = (await readdir(this.options.directory)).filter(this.options.matches).sort();
    this.lastError = undefined;
    const present = new Set(names);
    for (const map of [this.handled, this.seen]) for (const name of map.keys()) if (!present.has(name)) map.delete(name);

    let unsettled = false;
    for (const name of names) {
      if (this.stopped) return;
      const path = join(this.options.directory, name);
      const stats = await stat(path).catch(() => undefined);
      if (!stats?.isFile() || this.handled.get(name) === stats.mtimeMs) continue;
      const now = Date.now();
      const previous = this.seen.get(name);
      const unchanged = previous && previous.size === stats.size && previous.mtimeMs === stats.mtimeMs;
      const since = unchanged ? previous.since : now;
      this.seen.set(name, { size: stats.size, mtimeMs: stats.mtimeMs, since });
      if (now - stats.mtimeMs < this.settleMs && now - since < this.settleMs) {
        unsettled = true;
        continue;
      }
      if (await this.options.onFile({ name, path, size: stats.size, mtimeMs: stats.mtimeMs })) {
        this.handled.set(name, stats.mtimeMs);
        this.seen.delete(name);
      }
    }
    if (unsettled && !this.stopped && !this.recheckTimer) {
      this.recheckTimer = setTimeout(() => {
        this.recheckTimer = undefined;
        this.requestScan();
      }, this.settleMs);
    }
  }
}
