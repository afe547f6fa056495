import { handlerRegistration } from '../sdk/job-handler';
import { BUILT_IN_HANDLERS } from './index';

describe('BUILT_IN_HANDLERS', () => {
  it('registers each built-in job type once', () => {
    const types = BUILT_IN_HANDLERS.map((handler) => handlerRegistration(handler)?.type);
    expect(types).toEqual(['noop', 'echo', 'delay', 'http', 'publish', 'message-listener', 'file-listener', 'orchestration-task']);
  });

  it('holds classes that can be instantiated without arguments', () => {
    for (const Handler of BUILT_IN_HANDLERS) expect(typeof new Handler().execute).toBe('function');
  });
});
