import { checkRetryPolicy } from '../job/validate-submit';
import { invalid, isIsoInstant, isNonEmptyString } from '../job/guards';
import type { JobDefinitionInput } from './commands';
import type { JobDefinitionSchedule, JobDefinitionSpec } from './events';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Only the shape of a cron expression is checked here; the scheduler parses it when planning. */
function checkSchedule(s: JobDefinitionSchedule | null): JobDefinitionSchedule | null {
  if (s === null) return null;
  switch (s.kind) {
    case 'cron': {
      const fields = isNonEmptyString(s.expression) ? s.expression.trim().split(/\s+/).length : 0;
      if (fields < 5 || fields > 6) invalid('a cron expression has 5 or 6 fields', { schedule: s });
      if (!isNonEmptyString(s.timeZone) || !isTimeZone(s.timeZone)) invalid('unknown time zone', { schedule: s });
      return { kind: 'cron', expression: s.expression.trim(), timeZone: s.timeZone };
    }
    case 'interval':
      if (!Number.isInteger(s.everyMs) || s.everyMs <= 0) invalid('an interval is a positive number of ms', { schedule: s });
      return { kind: 'interval', everyMs: s.everyMs };
    case 'once':
      if (!isIsoInstant(s.at)) invalid('a one-off schedule needs an ISO instant', { schedule: s });
      return { kind: 'once', at: s.at };
    default:
      return invalid('unknown schedule kind', { schedule: s });
  }
}

/** Normalises the edited definition, or throws INVALID_ARGUMENT. */
export function checkSpec(spec: JobDefinitionInput): JobDefinitionSpec {
  if (!isNonEmptyString(spec.name?.trim())) invalid('a job definition needs a name');
  if (!isNonEmptyString(spec.jobType)) invalid('a job definition needs a job type');
  if (typeof spec.description !== 'string') invalid('description must be a string');
  if (typeof spec.enabled !== 'boolean') invalid('enabled must be true or false');
  return {
    name: spec.name.trim(),
    description: spec.description,
    type: spec.jobType,
    configuration: spec.configuration ?? null,
    schedule: checkSchedule(spec.schedule ?? null),
    enabled: spec.enabled,
    ...(spec.retry !== undefined && { retry: checkRetryPolicy(spec.retry) }),
  };
}
