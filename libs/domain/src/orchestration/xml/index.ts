export * from './definition-xml';
export { MAX_XML_BYTES, MAX_XML_DEPTH } from './safe-xml';
