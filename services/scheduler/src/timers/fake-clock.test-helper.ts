import type { Clock } from './clock';

/** A clock that only moves when told to; due callbacks run in time order as it passes them. */
export class FakeClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.current + ms, fn });
    return handle;
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
