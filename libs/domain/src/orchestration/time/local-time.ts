import { DateTime, Duration, IANAZone } from 'luxon';

/** The seed's default for every `timeZone` property. */
export const DEFAULT_TIME_ZONE = 'UTC';

export interface LocalTime {
  hour: number;
  minute: number;
  second: number;
}

// ISO-8601 extended local time without fraction or offset: the seed's samples are "12:12" and "03:00:00".
const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

export function parseLocalTime(value: string): LocalTime | null {
  const match = LOCAL_TIME.exec(value);
  if (!match) return null;
  return { hour: Number(match[1]), minute: Number(match[2]), second: Number(match[3] ?? '0') };
}

export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

// Luxon alone accepts sloppy forms such as "P1DT"; the grammar is checked here, the value by luxon.
const ISO_DURATION = /^P(?!$)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$/;

/** A positive ISO-8601 duration, or null. */
export function parseDuration(value: string): Duration | null {
  if (!ISO_DURATION.test(value)) return null;
  const duration = Duration.fromISO(value);
  return duration.isValid && duration.toMillis() > 0 ? duration : null;
}

/** An ISO-8601 instant with an explicit offset or `Z`, so that it names one moment. */
export function parseInstant(value: string): Date | null {
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null;
  const parsed = DateTime.fromISO(value, { setZone: true });
  return parsed.isValid ? parsed.toJSDate() : null;
}

const offsetMs = (zone: IANAZone, epochMs: number): number => zone.offset(epochMs) * 60_000;

/**
 * The instant at which the wall clock of `zone` shows the given local date and time.
 * Luxon shifts a time inside a spring-forward gap by the gap's length and picks the later of two
 * fall-back occurrences; neither suits "start after 02:30", so the rules here are explicit:
 * - inside a gap: the first instant after the gap (the wall clock jumps straight past 02:30, so
 *   the first moment that is "after 02:30" is the end of the jump);
 * - inside an overlap: the first occurrence (waiting for the repeat would be a second, later 02:30).
 */
export function resolveLocal(
  date: { year: number; month: number; day: number },
  time: LocalTime,
  zoneName: string,
): Date {
  const zone = IANAZone.create(zoneName);
  const naive = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute, time.second);
  const day = 86_400_000;
  const offsets = new Set([offsetMs(zone, naive - day), offsetMs(zone, naive), offsetMs(zone, naive + day)]);
  const valid = [...offsets].map((offset) => naive - offset).filter((instant) => offsetMs(zone, instant) === naive - instant);
  if (valid.length > 0) return new Date(Math.min(...valid));
  return new Date(endOfGap(zone, naive, [...offsets]));
}

/** The transition lies between the wall time read with the largest and with the smallest offset. */
function endOfGap(zone: IANAZone, naive: number, offsets: number[]): number {
  let before = naive - Math.max(...offsets);
  let after = naive - Math.min(...offsets);
  const offsetAfter = offsetMs(zone, after);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (offsetMs(zone, middle) === offsetAfter) after = middle;
    else before = middle;
  }
  return after;
}

/** The local calendar date of an instant in a zone. */
export function localDateOf(instant: Date, zoneName: string): { year: number; month: number; day: number } {
  const local = DateTime.fromJSDate(instant, { zone: zoneName });
  return { year: local.year, month: local.month, day: local.day };
}

/** The given local time on the same local day as `reference` (which may be before or after it). */
export function sameDayAt(reference: Date, time: LocalTime, zoneName: string): Date {
  return resolveLocal(localDateOf(reference, zoneName), time, zoneName);
}

/** The first instant strictly after `reference` at which the zone's wall clock reaches `time`. */
export function nextOccurrence(reference: Date, time: LocalTime, zoneName: string): Date {
  const today = sameDayAt(reference, time, zoneName);
  if (today.getTime() > reference.getTime()) return today;
  const tomorrow = DateTime.fromJSDate(reference, { zone: zoneName }).plus({ days: 1 });
  return resolveLocal({ year: tomorrow.year, month: tomorrow.month, day: tomorrow.day }, time, zoneName);
}

/** Calendar units (days, months) are added on the zone's wall clock, so "P1D" stays "same time tomorrow". */
export function addDuration(start: Date, duration: Duration, zoneName: string): Date {
  return DateTime.fromJSDate(start, { zone: zoneName }).plus(duration).toJSDate();
}
