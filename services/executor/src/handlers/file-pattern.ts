import { InvalidPayloadError } from './errors';

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;

/**
 * A file name matcher: `/body/flags` is a regular expression; anything else is a glob over the
 * file name where `*` is any run of characters and `?` one character (no directories: the
 * listener watches one directory, not a tree).
 */
export function fileNameMatcher(value: unknown, field = 'pattern'): (name: string) => boolean {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidPayloadError(field, 'must be a glob such as "*.csv" or a regular expression such as "/^in-\\d+\\.xml$/"');
  }
  const literal = REGEX_LITERAL.exec(value);
  if (literal) {
    try {
      const regex = new RegExp(literal[1], literal[2].replace(/[gy]/g, ''));
      return (name) => regex.test(name);
    } catch (error) {
      throw new InvalidPayloadError(field, `is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (value.includes('/')) throw new InvalidPayloadError(field, 'must match file names only, without "/"');
  const source = value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const glob = new RegExp(`^${source}$`);
  return (name) => glob.test(name);
}
