import { handlerRegistration, JobHandler, JobHandlerRegistration } from '../sdk/job-handler';

export interface RegisteredHandler {
  handler: JobHandler;
  registration: JobHandlerRegistration;
}

/** Job type → handler instance, from classes decorated with @JobHandler. */
export function buildHandlerRegistry(
  classes: (new () => JobHandler)[],
  onlyTypes: string[] | null,
): Map<string, RegisteredHandler> {
  const registry = new Map<string, RegisteredHandler>();
  for (const cls of classes) {
    const registration = handlerRegistration(cls);
    if (!registration) throw new Error(`${cls.name} has no @JobHandler decorator`);
    if (registry.has(registration.type)) throw new Error(`two handlers for job type ${registration.type}`);
    if (onlyTypes && !onlyTypes.includes(registration.type)) continue;
    registry.set(registration.type, { handler: new cls(), registration });
  }
  if (onlyTypes) {
    const unknown = onlyTypes.filter((t) => !registry.has(t));
    if (unknown.length) throw new Error(`EXECUTOR_TYPES names job types with no handler: ${unknown.join(', ')}`);
  }
  return registry;
}
