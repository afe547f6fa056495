import { fileNameMatcher } from './file-pattern';

describe('fileNameMatcher', () => {
  it.each([
    ['*.csv', 'orders.csv', true],
    ['*.csv', 'orders.csv.part', false],
    ['*.csv', 'orders.CSV', false],
    ['in-??.xml', 'in-01.xml', true],
    ['in-??.xml', 'in-1.xml', false],
    ['report (1).txt', 'report (1).txt', true],
    ['a+b.txt', 'aab.txt', false],
    ['/^in-\\d+\\.xml$/', 'in-42.xml', true],
    ['/^in-\\d+\\.xml$/', 'in-x.xml', false],
    ['/\\.CSV$/i', 'orders.csv', true],
  ])('%p on %p is %p', (pattern, name, expected) => {
    expect(fileNameMatcher(pattern)(name)).toBe(expected);
  });

  it.each([
    [undefined, 'payload.pattern must be a glob such as "*.csv"'],
    ['', 'payload.pattern must be a glob'],
    ['/(unclosed/', 'payload.pattern is not a valid regular expression'],
    ['sub/*.csv', 'payload.pattern must match file names only'],
  ])('rejects %p', (pattern, message) => {
    expect(() => fileNameMatcher(pattern)).toThrow(message);
  });
});
