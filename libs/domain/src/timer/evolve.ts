import type { TimerEvent } from './events';
import type { TimerState } from './state';

export function evolveTimer(state: TimerState, event: TimerEvent): TimerState {
  switch (event.type) {
    case 'timer.scheduled': {
      const { timerId, dueAt, target, misfirePolicy } = event.data;
      return { exists: true, timerId, status: 'PENDING', dueAt, target, misfirePolicy };
    }
    case 'timer.fired':
      return { ...state, status: 'FIRED' };
    case 'timer.skipped':
      return { ...state, status: 'SKIPPED' };
    case 'timer.cancelled':
      return { ...state, status: 'CANCELLED' };
    default: {
      const unexpected: never = event;
      throw new Error(`unknown timer event: ${(unexpected as { type: string }).type}`);
    }
  }
}
