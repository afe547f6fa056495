import type { Clock } from './clock';

/** A clock that only moves when told to; due callbacks run in time order as it passes them. */
export class FakeClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  /** Like a real timer, one already due runs on the next turn of the event loop, without an advance(). */
  setTimer(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.current + ms, fn });
    if (ms <= 0) setImmediate(() => this.runIfArmed(handle));
    return handle;
  }

  private runIfArmed(handle: number): void {
    const timer = this.timers.get(handle);
    if (!timer) return;
    this.timers.delete(handle);
    timer.fn();
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** The longest delay armed right now (to check that far timers re-arm instead of overflowing). */
  armedDelays(): number[] {
    return [...this.timers.values()].map((timer) => timer.at - this.current);
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].fn();
    }
    this.current = until;
  }
}
