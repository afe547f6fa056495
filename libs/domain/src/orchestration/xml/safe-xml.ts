import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../shared/domain-error';

export const MAX_XML_BYTES = 1024 * 1024;
export const MAX_XML_DEPTH = 32;

export const xmlError = (field: string, message: string): DomainError =>
  new DomainError('INVALID_ARGUMENT', field === '' ? message : `${field}: ${message}`, { errors: [{ field, message }] });

/**
 * Parses untrusted XML into fast-xml-parser's object form (attributes prefixed `@_`, CDATA under
 * `#cdata`, text as strings). Refused before the parser sees them: documents over MAX_XML_BYTES,
 * any DOCTYPE or ENTITY declaration (the door to entity expansion and external entities), and
 * nesting beyond MAX_XML_DEPTH (the parser's object building recurses). Entity processing is off:
 * the five predefined entities and character references are decoded by decodeXmlText instead.
 */
export function parseUntrustedXml(xml: string): Record<string, unknown> {
  if (typeof xml !== 'string') throw xmlError('xml', 'must be a string');
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > MAX_XML_BYTES) throw xmlError('xml', `is ${bytes} bytes; the limit is ${MAX_XML_BYTES}`);
  if (/<!DOCTYPE/i.test(xml)) throw xmlError('xml', 'DOCTYPE declarations are not allowed');
  if (/<!ENTITY/i.test(xml)) throw xmlError('xml', 'ENTITY declarations are not allowed');
  requireDepthAtMost(xml, MAX_XML_DEPTH);
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw xmlError('xml', `is not well-formed (line ${line}, column ${col}): ${msg}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    maxNestedTags: MAX_XML_DEPTH,
  });
  return parser.parse(xml) as Record<string, unknown>;
}

/** A linear scan, so that a hostile document is refused without building anything. */
function requireDepthAtMost(xml: string, max: number): void {
  let depth = 0;
  let i = xml.indexOf('<');
  while (i >= 0) {
    let end: number;
    if (xml.startsWith('<!--', i)) end = xml.indexOf('-->', i) + 2;
    else if (xml.startsWith('<![CDATA[', i)) end = xml.indexOf(']]>', i) + 2;
    else if (xml.startsWith('<?', i)) end = xml.indexOf('?>', i) + 1;
    else if (xml.startsWith('<!', i) || xml.startsWith('</', i)) {
      if (xml[i + 1] === '/') depth -= 1;
      end = xml.indexOf('>', i);
    } else {
      end = endOfStartTag(xml, i);
      if (end >= 0 && xml[end - 1] !== '/') {
        depth += 1;
        if (depth > max) throw xmlError('xml', `nests elements deeper than ${max} levels`);
      }
    }
    if (end < 0) return;
    i = xml.indexOf('<', end + 1);
  }
}

function endOfStartTag(xml: string, from: number): number {
  let quote: string | null = null;
  for (let i = from + 1; i < xml.length; i += 1) {
    const char = xml[i];
    if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '>') return i;
  }
  return -1;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else would need a DTD. */
export function decodeXmlText(raw: string, field: string): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw xmlError(field, `has an unterminated entity reference "${whole}"`);
    if (name in PREDEFINED) return PREDEFINED[name];
    const code = /^#x([0-9a-fA-F]+)$/.exec(name)?.[1] ?? /^#(\d+)$/.exec(name)?.[1];
    if (code !== undefined) {
      const point = name.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
      if (point <= 0x10ffff) return String.fromCodePoint(point);
    }
    throw xmlError(field, `uses the unknown entity "${whole}"`);
  });
}
