export * from './definition';
export * from './run';
export * from './xml';
export { nextFireTime, cronExpressionError } from './time/execution-plan';
export {
  DEFAULT_TIME_ZONE,
  type LocalTime,
  parseLocalTime,
  parseDuration,
  parseInstant,
  isValidTimeZone,
  resolveLocal,
} from './time/local-time';
