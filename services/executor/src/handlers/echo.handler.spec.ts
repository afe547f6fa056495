import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext } from '../sdk/context.test-helper';
import { EchoHandler } from './echo.handler';

describe('echo', () => {
  const run = (payload: Record<string, unknown>) => new EchoHandler().execute(new TestJobContext({ type: 'echo', payload }));

  it('is registered as "echo"', () => {
    expect(handlerRegistration(EchoHandler)?.type).toBe('echo');
  });

  it('completes with the payload as output', async () => {
    await expect(run({ a: 1, b: ['x'] })).resolves.toEqual({ output: { a: 1, b: ['x'] } });
  });

  it('sets job variables from payload.variables', async () => {
    const payload = { variables: { region: 'eu' }, other: true };
    await expect(run(payload)).resolves.toEqual({ output: payload, jobVariables: { region: 'eu' } });
  });

  it('rejects variables that are not an object, naming the field', async () => {
    await expect(run({ variables: [1] })).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      message: 'payload.variables must be an object',
    });
  });
});
