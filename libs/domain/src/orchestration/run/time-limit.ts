import type { OrchestrationTaskDefinition } from '../definition/types';
import { addDuration, DEFAULT_TIME_ZONE, nextOccurrence, parseDuration, parseLocalTime } from '../time/local-time';

/**
 * The instant from which no task may be launched, fixed when the run starts.
 * executionTimeLimit means its next occurrence after the start, so a nightly window such as
 * 22:00 → 06:00 crosses midnight as intended and a run started at 10:00 with a 03:00 limit has until
 * 03:00 tomorrow. executionDurationLimit counts from the start.
 */
export function runTimeLimit(definition: OrchestrationTaskDefinition, startedAt: Date): Date | null {
  const zone = definition.timeZone ?? DEFAULT_TIME_ZONE;
  if (definition.executionTimeLimit !== undefined) {
    const time = parseLocalTime(definition.executionTimeLimit);
    if (!time) throw new Error(`invalid executionTimeLimit: ${definition.executionTimeLimit}`);
    return nextOccurrence(startedAt, time, zone);
  }
  if (definition.executionDurationLimit !== undefined) {
    const duration = parseDuration(definition.executionDurationLimit);
    if (!duration) throw new Error(`invalid executionDurationLimit: ${definition.executionDurationLimit}`);
    return addDuration(startedAt, duration, zone);
  }
  return null;
}
