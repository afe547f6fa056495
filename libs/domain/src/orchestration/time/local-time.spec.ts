import { addDuration, nextOccurrence, parseDuration, parseInstant, parseLocalTime, resolveLocal, sameDayAt } from './local-time';

const iso = (date: Date) => date.toISOString();

describe('local times', () => {
  it('parses HH:mm and HH:mm:ss and nothing else', () => {
    expect(parseLocalTime('02:30')).toEqual({ hour: 2, minute: 30, second: 0 });
    expect(parseLocalTime('23:59:59')).toEqual({ hour: 23, minute: 59, second: 59 });
    for (const bad of ['2:30', '24:00', '12:60', '12:00:60', '12:00Z', '12:00+01:00', 'T12:00', '']) {
      expect(parseLocalTime(bad)).toBeNull();
    }
  });

  it('parses positive ISO-8601 durations only', () => {
    expect(parseDuration('PT4H')?.as('hours')).toBe(4);
    expect(parseDuration('P1DT2H30M')?.as('minutes')).toBe(24 * 60 + 150);
    for (const bad of ['4h', 'PT', 'P', 'P1DT', 'PT0S', '-PT1H']) expect(parseDuration(bad)).toBeNull();
  });

  it('parses instants only when they carry an offset', () => {
    expect(parseInstant('2020-05-18T10:12:39.527Z')?.toISOString()).toBe('2020-05-18T10:12:39.527Z');
    expect(parseInstant('2020-05-18T12:12:39+02:00')?.toISOString()).toBe('2020-05-18T10:12:39.000Z');
    expect(parseInstant('2020-05-18T10:12:39')).toBeNull();
  });

  it('resolves an ordinary local time', () => {
    expect(iso(resolveLocal({ year: 2025, month: 6, day: 1 }, { hour: 2, minute: 30, second: 0 }, 'Europe/Paris'))).toBe(
      '2025-06-01T00:30:00.000Z',
    );
  });

  describe.each([
    // zone, day, local time inside the gap, first instant after the gap
    ['Europe/Paris', '2025-03-30', '02:30', '2025-03-30T01:00:00.000Z'],
    ['America/New_York', '2025-03-09', '02:30', '2025-03-09T07:00:00.000Z'],
    ['Australia/Lord_Howe', '2025-10-05', '02:15', '2025-10-04T15:30:00.000Z'],
  ])('spring-forward gap in %s', (zone, day, time, expected) => {
    it(`maps ${time} on ${day} to the first instant after the gap`, () => {
      const [year, month, date] = day.split('-').map(Number);
      expect(iso(resolveLocal({ year, month, day: date }, parseLocalTime(time)!, zone))).toBe(expected);
    });
  });

  describe.each([
    // zone, day, local time inside the overlap, its first occurrence
    ['Europe/Paris', '2025-10-26', '02:30', '2025-10-26T00:30:00.000Z'],
    ['America/New_York', '2025-11-02', '01:30', '2025-11-02T05:30:00.000Z'],
    ['Australia/Lord_Howe', '2025-04-06', '01:45', '2025-04-05T14:45:00.000Z'],
  ])('fall-back overlap in %s', (zone, day, time, expected) => {
    it(`maps ${time} on ${day} to its first occurrence`, () => {
      const [year, month, date] = day.split('-').map(Number);
      expect(iso(resolveLocal({ year, month, day: date }, parseLocalTime(time)!, zone))).toBe(expected);
    });
  });

  it('sameDayAt uses the local day of the reference, even when the time has passed', () => {
    const reference = new Date('2025-06-01T22:30:00Z'); // 00:30 on 2 June in Paris
    expect(iso(sameDayAt(reference, { hour: 2, minute: 0, second: 0 }, 'Europe/Paris'))).toBe('2025-06-02T00:00:00.000Z');
    expect(iso(sameDayAt(reference, { hour: 0, minute: 10, second: 0 }, 'Europe/Paris'))).toBe('2025-06-01T22:10:00.000Z');
  });

  it('nextOccurrence moves to the next day once the time has passed, and never returns the reference itself', () => {
    const time = { hour: 3, minute: 0, second: 0 };
    expect(iso(nextOccurrence(new Date('2025-06-01T00:00:00Z'), time, 'UTC'))).toBe('2025-06-01T03:00:00.000Z');
    expect(iso(nextOccurrence(new Date('2025-06-01T03:00:00Z'), time, 'UTC'))).toBe('2025-06-02T03:00:00.000Z');
    expect(iso(nextOccurrence(new Date('2025-06-01T22:00:00Z'), time, 'UTC'))).toBe('2025-06-02T03:00:00.000Z');
  });

  it('adds calendar days on the wall clock across a DST change', () => {
    const start = new Date('2025-03-29T21:00:00Z'); // 22:00 CET
    expect(iso(addDuration(start, parseDuration('P1D')!, 'Europe/Paris'))).toBe('2025-03-30T20:00:00.000Z'); // 22:00 CEST
    expect(iso(addDuration(start, parseDuration('PT24H')!, 'Europe/Paris'))).toBe('2025-03-30T21:00:00.000Z');
  });
});
