import type { SchemaObject, ReferenceObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { getMetadataStorage } from 'class-validator';

// class-transformer keeps its @Type registry out of its public entry; the package ships its typings apart.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DtoClass = abstract new (...args: any[]) => unknown;
export type Schemas = Record<string, SchemaObject | ReferenceObject>;

interface Rule {
  name?: string;
  type: string;
  constraints?: unknown[];
  each?: boolean;
}

const refTo = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

/** Applies one class-validator rule to the property's schema (or to its items for `each`). */
function apply(schema: SchemaObject, rule: Rule): void {
  const c = rule.constraints ?? [];
  const target: SchemaObject = rule.each && schema.type === 'array' ? ((schema.items as SchemaObject) ??= {}) : schema;
  switch (rule.name) {
    case 'isString':
      target.type = 'string';
      break;
    case 'isNotEmpty':
      if (target.type !== 'array') target.minLength = Math.max(target.minLength ?? 0, 1);
      break;
    case 'maxLength':
      target.maxLength = c[0] as number;
      break;
    case 'minLength':
      target.minLength = c[0] as number;
      break;
    case 'matches':
      target.type = 'string';
      target.pattern = (c[0] as RegExp).source;
      break;
    case 'isInt':
      target.type = 'integer';
      break;
    case 'isNumber':
      target.type = 'number';
      break;
    case 'min':
      target.minimum = c[0] as number;
      break;
    case 'max':
      target.maximum = c[0] as number;
      break;
    case 'isBoolean':
      target.type = 'boolean';
      break;
    case 'isObject':
      target.type = 'object';
      target.additionalProperties = true;
      break;
    case 'isIn':
      target.enum = [...(c[0] as unknown[])];
      break;
    case 'isISO8601':
      target.type = 'string';
      target.format = 'date-time';
      break;
    case 'isUUID':
      target.type = 'string';
      target.format = 'uuid';
      break;
    case 'isArray':
      schema.type = 'array';
      schema.items ??= {};
      break;
    case 'arrayMaxSize':
      schema.maxItems = c[0] as number;
      break;
    case 'arrayMinSize':
      schema.minItems = c[0] as number;
      break;
    default:
      break;
  }
}

/**
 * The JSON schema of a DTO, read from the very class-validator rules (and class-transformer
 * `@Type`s) that validate requests, so the documentation cannot drift from the validation.
 * Nested DTOs are added to `schemas` under their class name and referenced.
 */
export function dtoSchema(cls: DtoClass, schemas: Schemas): ReferenceObject {
  const name = cls.name;
  if (schemas[name]) return refTo(name);
  const properties: Record<string, SchemaObject> = {};
  const optional = new Set<string>();
  schemas[name] = { type: 'object' }; // placeholder: breaks cycles
  const rules = getMetadataStorage().getTargetValidationMetadatas(cls as unknown as new () => unknown, '', true, false) as unknown as (Rule & {
    propertyName: string;
  })[];
  // Containers first, so `each` rules find the array they refine.
  const ordered = [...rules].sort((a, b) => Number(b.name === 'isArray') - Number(a.name === 'isArray'));
  for (const rule of ordered) {
    const schema = (properties[rule.propertyName] ??= {});
    if (rule.type === 'conditionalValidation') optional.add(rule.propertyName);
    else if (rule.type === 'nestedValidation') {
      const nested = defaultMetadataStorage.findTypeMetadata(cls as unknown as new () => unknown, rule.propertyName)?.typeFunction() as DtoClass | undefined;
      if (!nested) continue;
      const ref = dtoSchema(nested, schemas);
      if (rule.each || schema.type === 'array') {
        schema.type = 'array';
        schema.items = ref;
      } else Object.assign(schema, { allOf: [ref] });
    } else apply(schema, rule);
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p));
  schemas[name] = { type: 'object', additionalProperties: false, properties, ...(required.length > 0 && { required }) };
  return refTo(name);
}

/** Query DTOs become query parameters (minus the ones bound from the path). */
export function queryParameters(cls: DtoClass, schemas: Schemas, skip: string[] = []) {
  dtoSchema(cls, schemas);
  const schema = schemas[cls.name] as SchemaObject;
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => !skip.includes(name))
    .map(([name, property]) => ({
      name,
      in: 'query' as const,
      required: (schema.required ?? []).includes(name),
      schema: property,
    }));
}
