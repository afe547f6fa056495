import { cronExpressionError } from '../time/execution-plan';
import { isValidTimeZone, parseDuration, parseInstant, parseLocalTime } from '../time/local-time';
import { OVERLAP_POLICIES, SCHEDULE_TYPES, type ValidationError } from './types';

const DEFINITION_PROPERTIES = [
  'id',
  'name',
  'description',
  'active',
  'orchestratedTasks',
  'executionTimeLimit',
  'timeZone',
  'executionDurationLimit',
  'executionPlan',
];
const TASK_PROPERTIES = ['taskId', 'taskType', 'taskStartsAfter', 'timeZone', 'taskExecutionCondition'];
const CONDITION_PROPERTIES = ['executeOnParentTaskFailure'];
const PLAN_PROPERTIES = ['scheduleType', 'fireTime', 'interval', 'cronExpression', 'timeZone', 'misfirePolicy', 'overlapPolicy'];

/** IMPORT, EXPORT... or a registered job type such as `billing.export-v2`. */
const TASK_TYPE = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonBlank = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * Every problem of a definition at once, so a form or an import can show them all; empty when valid.
 * Unknown properties are errors: a misspelt `timezone` would otherwise silently fall back to UTC.
 * Duplicate taskIds are allowed: the seed identifies an orchestrated task by its position, and running
 * the same import twice in a chain is legitimate.
 */
export function validateOrchestrationDefinition(input: unknown): ValidationError[] {
  const errors: ValidationError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  if (!isPlainObject(input)) return [{ field: '', message: 'must be an object' }];

  unknownProperties(input, DEFINITION_PROPERTIES, '', add);
  if (!isNonBlank(input.id)) add('id', 'is required and must be a non-empty string');
  if (!isNonBlank(input.name)) add('name', 'is required and must be a non-empty string');
  if (input.description !== undefined && typeof input.description !== 'string') add('description', 'must be a string');
  if (input.active !== undefined && typeof input.active !== 'boolean') add('active', 'must be a boolean');
  localTime(input.executionTimeLimit, 'executionTimeLimit', add);
  timeZone(input.timeZone, 'timeZone', add);
  if (input.executionDurationLimit !== undefined) {
    if (typeof input.executionDurationLimit !== 'string' || !parseDuration(input.executionDurationLimit)) {
      add('executionDurationLimit', 'must be a positive ISO-8601 duration such as PT4H');
    } else if (input.executionTimeLimit !== undefined) {
      add('executionDurationLimit', 'is mutually exclusive with executionTimeLimit: set only one of them');
    }
  }
  orchestratedTasks(input.orchestratedTasks, add);
  if (input.executionPlan !== undefined) executionPlan(input.executionPlan, add);
  return errors;
}

type Add = (field: string, message: string) => void;

const at = (prefix: string, property: string) => (prefix === '' ? property : `${prefix}.${property}`);

function unknownProperties(value: Record<string, unknown>, known: string[], prefix: string, add: Add): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) add(at(prefix, key), 'is not a known property');
}

function localTime(value: unknown, field: string, add: Add): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !parseLocalTime(value)) {
    add(field, 'must be an ISO-8601 local time such as 03:00 or 03:00:00');
  }
}

function timeZone(value: unknown, field: string, add: Add): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !isValidTimeZone(value)) add(field, 'must be an IANA time zone such as Europe/Paris');
}

function orchestratedTasks(value: unknown, add: Add): void {
  if (!Array.isArray(value)) {
    add('orchestratedTasks', 'is required and must be a list');
    return;
  }
  if (value.length === 0) add('orchestratedTasks', 'must contain at least one task');
  value.forEach((task: unknown, index) => {
    const prefix = `orchestratedTasks[${index}]`;
    if (!isPlainObject(task)) {
      add(prefix, 'must be an object');
      return;
    }
    unknownProperties(task, TASK_PROPERTIES, prefix, add);
    if (!isNonBlank(task.taskId)) add(`${prefix}.taskId`, 'is required and must be a non-empty string');
    if (typeof task.taskType !== 'string' || !TASK_TYPE.test(task.taskType)) {
      add(`${prefix}.taskType`, 'must be IMPORT, RECONCILIATION, EXPORT, PROVISIONING or a registered job type');
    }
    localTime(task.taskStartsAfter, `${prefix}.taskStartsAfter`, add);
    timeZone(task.timeZone, `${prefix}.timeZone`, add);
    const condition = task.taskExecutionCondition;
    if (condition === undefined) return;
    const conditionPrefix = `${prefix}.taskExecutionCondition`;
    if (!isPlainObject(condition)) {
      add(conditionPrefix, 'must be an object');
      return;
    }
    unknownProperties(condition, CONDITION_PROPERTIES, conditionPrefix, add);
    if (condition.executeOnParentTaskFailure !== undefined && typeof condition.executeOnParentTaskFailure !== 'boolean') {
      add(`${conditionPrefix}.executeOnParentTaskFailure`, 'must be a boolean');
    }
  });
}

function executionPlan(plan: unknown, add: Add): void {
  if (!isPlainObject(plan)) {
    add('executionPlan', 'must be an object');
    return;
  }
  unknownProperties(plan, PLAN_PROPERTIES, 'executionPlan', add);
  if (plan.misfirePolicy !== undefined && plan.misfirePolicy !== 'FIRE_ONCE' && plan.misfirePolicy !== 'SKIP') {
    add('executionPlan.misfirePolicy', 'must be FIRE_ONCE or SKIP');
  }
  if (plan.overlapPolicy !== undefined && !(OVERLAP_POLICIES as readonly unknown[]).includes(plan.overlapPolicy)) {
    add('executionPlan.overlapPolicy', `must be one of ${OVERLAP_POLICIES.join(', ')}`);
  }
  const { scheduleType, fireTime, interval, cronExpression } = plan;
  if (!(SCHEDULE_TYPES as readonly unknown[]).includes(scheduleType)) {
    add('executionPlan.scheduleType', `must be one of ${SCHEDULE_TYPES.join(', ')}`);
    return;
  }
  const needsFireTime = scheduleType !== 'CRON';
  if (fireTime === undefined) {
    if (needsFireTime) add('executionPlan.fireTime', `is required for ${String(scheduleType)}`);
  } else if (!needsFireTime) {
    add('executionPlan.fireTime', 'is not used by CRON');
  } else if (typeof fireTime !== 'string' || !parseInstant(fireTime)) {
    add('executionPlan.fireTime', 'must be an ISO-8601 instant with an offset, such as 2020-05-18T10:12:39.527Z');
  }
  if (scheduleType === 'INTERVAL') {
    if (typeof interval !== 'number' || !Number.isInteger(interval) || interval <= 0) {
      add('executionPlan.interval', 'must be a positive whole number of seconds for INTERVAL');
    }
  } else if (interval !== undefined && interval !== 0) {
    add('executionPlan.interval', `must be 0 or absent for ${String(scheduleType)}`);
  }
  if (scheduleType === 'CRON') {
    if (!isNonBlank(cronExpression)) add('executionPlan.cronExpression', 'is required for CRON');
    else {
      const problem = cronExpressionError(cronExpression);
      if (problem) add('executionPlan.cronExpression', `is not a valid cron expression: ${problem}`);
    }
    timeZone(plan.timeZone, 'executionPlan.timeZone', add);
  } else {
    if (cronExpression !== undefined) add('executionPlan.cronExpression', 'is only used by CRON');
    if (plan.timeZone !== undefined) add('executionPlan.timeZone', 'is only used by CRON');
  }
}
