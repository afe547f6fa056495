import type { MisfirePolicy, TimerTarget } from './events';

export type TimerStatus = 'PENDING' | 'FIRED' | 'SKIPPED' | 'CANCELLED';

export interface TimerState {
  exists: boolean;
  timerId: string | null;
  status: TimerStatus | null;
  dueAt: string | null;
  target: TimerTarget | null;
  misfirePolicy: MisfirePolicy;
}

export const initialTimerState: TimerState = {
  exists: false,
  timerId: null,
  status: null,
  dueAt: null,
  target: null,
  misfirePolicy: 'FIRE_ONCE',
};
