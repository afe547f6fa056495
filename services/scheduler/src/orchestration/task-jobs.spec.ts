import { isTaskIdempotencyKey, taskIdempotencyKey } from './task-jobs';

describe('isTaskIdempotencyKey', () => {
  it('knows a task launch by its key, and nothing else', () => {
    expect(isTaskIdempotencyKey(taskIdempotencyKey('run-1', 0, 'launch-1'))).toBe(true);
    expect(isTaskIdempotencyKey('order-42')).toBe(false);
    expect(isTaskIdempotencyKey(undefined)).toBe(false);
  });
});
