import { JobContext } from '../sdk/job-handler';

/**
 * Progress for listeners, which have no percent to give: reports a count message at most once per
 * interval (a busy subject would otherwise write one event per message) and always the latest one.
 */
export class ThrottledProgress {
  private lastAt = 0;
  private latest?: string;
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: JobContext,
    private readonly intervalMs = 1_000,
  ) {}

  report(message: string): void {
    this.latest = message;
    if (this.timer) return;
    const wait = this.lastAt + this.intervalMs - Date.now();
    if (wait <= 0) return this.flush();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Stops the timer and reports what is still unreported. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    await this.inFlight;
  }

  private flush(): void {
    const message = this.latest;
    if (message === undefined) return;
    this.latest = undefined;
    this.lastAt = Date.now();
    this.inFlight = this.inFlight.then(() =>
      this.ctx.progress(0, message).catch((error) => this.ctx.log.warn('progress report failed', { error })),
    );
  }
}
